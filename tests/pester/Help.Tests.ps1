# Help as a user reads it: every cmdlet has a complete platyPS page whose syntax matches the live
# cmdlet, the module ships it compiled (MAML), and about_DockPS explains the concepts.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-DockTestModule
    $cmdlets = @($module.ExportedCmdlets.Values | Sort-Object Name | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-DockTestModule
    Import-Module (Join-Path $PSScriptRoot '../../build/Help.psm1') -Force
    $docsPath = (Resolve-Path (Join-Path $PSScriptRoot '../../docs/en-US')).Path
    $commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Help markdown in docs/en-US' {
    It 'has a complete page, matching the live syntax, for every exported cmdlet' {
        $problems = @(Test-DockHelpMarkdown -Module $module -DocsPath $docsPath)
        $problems -join "`n" | Should -BeNullOrEmpty
    }

    It 'has the about_DockPS page' {
        Test-Path (Join-Path $docsPath 'about_DockPS.help.md') | Should -BeTrue
    }
}

Describe 'Help shipped in the module' {
    It 'includes the compiled MAML and the about topic' {
        $enUS = Join-Path $module.ModuleBase 'en-US'
        $maml = Join-Path $enUS 'DockPS.dll-Help.xml'
        Test-Path $maml | Should -BeTrue
        ([xml](Get-Content $maml -Raw)).helpItems.command.details.name | Should -Contain 'Get-DockInfo'
        Test-Path (Join-Path $enUS 'about_DockPS.help.txt') | Should -BeTrue
    }
}

Describe 'Get-Help <Name> -Full' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full
    }

    It 'comes from the compiled help, not generated from the syntax' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Not -BeLike "$Name *"
        $help.Synopsis.Trim() | Should -Not -Match '^\s*\{\{'
    }

    It 'has a description' {
        ($help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example with code' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 1
        $examples[0].code | Should -Match ([regex]::Escape($Name))
    }

    It 'shows the syntax with each parameter once per parameter set' {
        foreach ($item in @($help.syntax.syntaxItem)) {
            $names = @($item.parameter | ForEach-Object name)
            $names | Should -Not -BeNullOrEmpty
            ($names | Select-Object -Unique).Count | Should -Be $names.Count -Because ($names -join ', ')
        }
    }

    It 'describes every parameter' {
        $command = Get-Command $Name -Module DockPS
        $documented = @($help.parameters.parameter | Where-Object { ($_.description | Out-String).Trim() } | ForEach-Object name)
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $commonParameters }) {
            $documented | Should -Contain $parameter
        }
    }
}

Describe 'Get-Help about_DockPS' {
    BeforeAll {
        $text = Get-Help about_DockPS | Out-String
    }

    It 'is found' {
        $text | Should -Match 'about_DockPS'
    }

    It 'explains DOCKPS_HOST' {
        $text | Should -Match 'DOCKPS_HOST'
    }

    It 'explains the New-Volume name clash' {
        $text | Should -Match 'New-Volume'
        $text | Should -Match 'Get-Volume'
    }

    It 'describes the daemon' {
        $text | Should -Match 'dockpsd'
        $text | Should -Match 'Start-DockDaemon'
    }
}
