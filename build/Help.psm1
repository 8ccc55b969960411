# Cmdlet help without platyPS (not reachable here): platyPS-format markdown (schema 2.0.0) in
# docs/en-US is the source; this module writes missing pages from the live cmdlets and the C#
# doc comments, checks pages against the live cmdlets, and compiles them to MAML.

Set-StrictMode -Version Latest

$CommonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
$Placeholder = '{{'

function Get-DockCmdletSyntax {
    <#
    .SYNOPSIS
        The syntax lines of a cmdlet, one per parameter set, as platyPS writes them.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [System.Management.Automation.CommandInfo] $Command)

    $sets = @($Command.ParameterSets | Sort-Object { -not $_.IsDefault }, Name)
    foreach ($set in $sets) {
        $parts = [System.Collections.Generic.List[string]]::new()
        $parts.Add($Command.Name)
        $params = @($set.Parameters | Where-Object { $_.Name -notin $CommonParameters } |
            Sort-Object { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } }, { -not $_.IsMandatory }, Name)
        foreach ($p in $params) {
            $isSwitch = $p.ParameterType -eq [switch]
            $name = if ($p.Position -ge 0) { "[-$($p.Name)]" } else { "-$($p.Name)" }
            $text = if ($isSwitch) { "-$($p.Name)" } else { "$name <$($p.ParameterType.Name)>" }
            $parts.Add($(if ($p.IsMandatory) { $text } else { "[$text]" }))
        }
        foreach ($risk in 'WhatIf', 'Confirm') {
            if ($set.Parameters.Name -contains $risk) { $parts.Add("[-$risk]") }
        }
        $parts.Add('[<CommonParameters>]')
        [pscustomobject]@{
            Name      = $set.Name
            IsDefault = $set.IsDefault
            Single    = $sets.Count -eq 1
            Text      = $parts -join ' '
        }
    }
}

function Get-DocComment {
    # Reads <para type="..."> text for a member from the compiled XML documentation.
    param($Xml, [string] $Member, [string] $Type)
    if (-not $Xml) { return $null }
    $node = $Xml.SelectSingleNode("//member[@name='$Member']//para[@type='$Type']")
    if ($node) { ($node.InnerText -replace '\s+', ' ').Trim() }
}

function New-DockHelpPage {
    [CmdletBinding()]
    [OutputType([string])]
    param([System.Management.Automation.CmdletInfo] $Command, $DocXml)

    $type = $Command.ImplementingType
    $synopsis = Get-DocComment $DocXml "T:$($type.FullName)" 'synopsis'
    $description = Get-DocComment $DocXml "T:$($type.FullName)" 'description'
    $sb = [System.Text.StringBuilder]::new()
    $null = $sb.AppendLine('---').AppendLine('external help file: DockPS.dll-Help.xml').AppendLine('Module Name: DockPS').
        AppendLine('online version:').AppendLine('schema: 2.0.0').AppendLine('---').AppendLine()
    $null = $sb.AppendLine("# $($Command.Name)").AppendLine().AppendLine('## SYNOPSIS')
    $null = $sb.AppendLine($(if ($synopsis) { $synopsis } else { '{{ Fill in the Synopsis }}' })).AppendLine()
    $null = $sb.AppendLine('## SYNTAX').AppendLine()
    foreach ($s in Get-DockCmdletSyntax $Command) {
        if (-not $s.Single) { $null = $sb.AppendLine("### $($s.Name)$(if ($s.IsDefault) { ' (Default)' })").AppendLine() }
        $null = $sb.AppendLine('```').AppendLine($s.Text).AppendLine('```').AppendLine()
    }
    $null = $sb.AppendLine('## DESCRIPTION').AppendLine($(if ($description) { $description } else { '{{ Fill in the Description }}' })).AppendLine()
    $null = $sb.AppendLine('## EXAMPLES').AppendLine().AppendLine('### Example 1').AppendLine('```powershell').
        AppendLine("PS C:\> {{ Add example code here }}").AppendLine('```').AppendLine().AppendLine('{{ Add example description here }}').AppendLine()
    $null = $sb.AppendLine('## PARAMETERS').AppendLine()
    $parameters = $Command.Parameters.Values | Where-Object { $_.Name -notin $CommonParameters } | Sort-Object Name
    foreach ($p in $parameters) {
        $text = Get-DocComment $DocXml "P:$($type.FullName).$($p.Name)" 'description'
        if (-not $text) {
            $declaring = $type.GetProperty($p.Name).DeclaringType
            $text = Get-DocComment $DocXml "P:$($declaring.FullName).$($p.Name)" 'description'
        }
        $null = $sb.AppendLine("### -$($p.Name)").AppendLine($(if ($text) { $text } else { "{{ Fill $($p.Name) Description }}" })).AppendLine()
        $null = $sb.AppendLine('```yaml').AppendLine((Get-ParameterYaml $Command $p)).AppendLine('```').AppendLine()
    }
    $null = $sb.AppendLine('### CommonParameters').AppendLine('This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, -OutVariable, -OutBuffer, -PipelineVariable, -ProgressAction, -Verbose, -WarningAction, and -WarningVariable. For more information, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).').AppendLine()
    $null = $sb.AppendLine('## INPUTS').AppendLine()
    $inputs = @($parameters | Where-Object { $_.Attributes | Where-Object { $_ -is [Parameter] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) } })
    if ($inputs) { foreach ($i in $inputs | ForEach-Object { $_.ParameterType.FullName } | Sort-Object -Unique) { $null = $sb.AppendLine("### $i").AppendLine() } }
    else { $null = $sb.AppendLine('### None').AppendLine() }
    $null = $sb.AppendLine('## OUTPUTS').AppendLine()
    foreach ($o in $Command.OutputType) { $null = $sb.AppendLine("### $($o.Name)").AppendLine() }
    $null = $sb.AppendLine('## NOTES').AppendLine().AppendLine('## RELATED LINKS').AppendLine().AppendLine('[about_DockPS](about_DockPS.md)')
    $sb.ToString()
}

function Get-ParameterYaml {
    param($Command, $Parameter)
    $sets = @($Parameter.ParameterSets.Keys)
    $attrs = @($Parameter.Attributes | Where-Object { $_ -is [Parameter] })
    $first = $attrs[0]
    $pipeline = @()
    if ($attrs | Where-Object ValueFromPipeline) { $pipeline += 'ByValue' }
    if ($attrs | Where-Object ValueFromPipelineByPropertyName) { $pipeline += 'ByPropertyName' }
    $accepted = @($Parameter.Attributes | Where-Object { $_ -is [ValidateSet] } | ForEach-Object ValidValues)
    $lines = @(
        "Type: $($Parameter.ParameterType.Name)"
        "Parameter Sets: $(if ($sets -contains '__AllParameterSets') { '(All)' } else { $sets -join ', ' })"
        "Aliases: $($Parameter.Aliases -join ', ')"
    )
    if ($accepted) { $lines += "Accepted values: $($accepted -join ', ')" }
    $lines += @(
        ''
        "Required: $($first.Mandatory)"
        "Position: $(if ($first.Position -ge 0) { $first.Position } else { 'Named' })"
        'Default value: None'
        "Accept pipeline input: $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' })"
        'Accept wildcard characters: False'
    )
    ($lines -join "`n") -replace ' +\n', "`n"
}

function Update-DockHelpMarkdown {
    <#
    .SYNOPSIS
        Writes a platyPS-format page for every cmdlet that has none; never overwrites a page.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $ModulePath, [Parameter(Mandatory)] [string] $DocsPath)

    $module = Import-Module $ModulePath -PassThru -Force
    $docFile = Join-Path (Split-Path $ModulePath) 'DockPS.xml'
    $docXml = if (Test-Path $docFile) { [xml](Get-Content $docFile -Raw) }
    $null = New-Item -ItemType Directory -Force $DocsPath
    foreach ($command in $module.ExportedCmdlets.Values | Sort-Object Name) {
        $page = Join-Path $DocsPath "$($command.Name).md"
        if (Test-Path $page) { continue }
        Set-Content -Path $page -Value (New-DockHelpPage $command $docXml) -NoNewline
        Write-Host "    wrote $page (fill in the examples)"
    }
}

function Read-DockHelpPage {
    <#
    .SYNOPSIS
        Parses a platyPS page into its sections.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Path)

    $text = (Get-Content $Path -Raw) -replace "`r`n", "`n"
    $body = $text -replace '(?s)^---\n.*?\n---\n', ''
    $sections = [ordered]@{}
    foreach ($m in [regex]::Matches($body, '(?ms)^## (?<name>[A-Z ]+)\n(?<content>.*?)(?=^## |\z)')) {
        $sections[$m.Groups['name'].Value.Trim()] = $m.Groups['content'].Value.Trim()
    }
    $syntax = @([regex]::Matches($sections['SYNTAX'] ?? '', '(?ms)```\n(?<s>.*?)\n```') | ForEach-Object { $_.Groups['s'].Value.Trim() })
    $examples = @([regex]::Matches($sections['EXAMPLES'] ?? '', '(?ms)^### (?<title>.*?)\n(?<content>.*?)(?=^### |\z)') | ForEach-Object {
            $content = $_.Groups['content'].Value
            $code = [regex]::Match($content, '(?ms)```(?:powershell)?\n(?<c>.*?)\n```').Groups['c'].Value
            [pscustomobject]@{
                Title   = $_.Groups['title'].Value.Trim()
                Code    = $code
                Remarks = ([regex]::Replace($content, '(?ms)```.*?```', '')).Trim()
            }
        })
    $parameters = @([regex]::Matches($sections['PARAMETERS'] ?? '', '(?ms)^### -(?<name>\S+)\n(?<content>.*?)(?=^### |\z)') | ForEach-Object {
            $content = $_.Groups['content'].Value
            $yaml = @{}
            foreach ($line in [regex]::Match($content, '(?ms)```yaml\n(?<y>.*?)\n```').Groups['y'].Value -split "`n") {
                if ($line -match '^(?<k>[^:]+):\s*(?<v>.*)$') { $yaml[$Matches.k] = $Matches.v.Trim() }
            }
            [pscustomobject]@{
                Name        = $_.Groups['name'].Value
                Description = ([regex]::Replace($content, '(?ms)```yaml.*?```', '')).Trim()
                Yaml        = $yaml
            }
        })
    $typesOf = { param($s) @([regex]::Matches($s ?? '', '(?m)^### (?<t>.+)$') | ForEach-Object { $_.Groups['t'].Value.Trim() } | Where-Object { $_ -ne 'None' }) }
    [pscustomobject]@{
        Path        = $Path
        Name        = [regex]::Match($body, '(?m)^# (?<n>\S+)').Groups['n'].Value
        Text        = $text
        Synopsis    = $sections['SYNOPSIS']
        Syntax      = $syntax
        Description = $sections['DESCRIPTION']
        Examples    = $examples
        Parameters  = $parameters
        Inputs      = & $typesOf $sections['INPUTS']
        Outputs     = & $typesOf $sections['OUTPUTS']
        Notes       = $sections['NOTES']
        Links       = @([regex]::Matches($sections['RELATED LINKS'] ?? '', '\[(?<t>[^\]]+)\]\((?<u>[^)]*)\)') | ForEach-Object { [pscustomobject]@{ Text = $_.Groups['t'].Value; Uri = $_.Groups['u'].Value } })
    }
}

function Test-DockHelpMarkdown {
    <#
    .SYNOPSIS
        Lists what is wrong with the help of the module's cmdlets: missing pages, placeholders,
        syntax that differs from the live cmdlet, missing synopsis or example. Empty when all is well.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [System.Management.Automation.PSModuleInfo] $Module, [Parameter(Mandatory)] [string] $DocsPath)

    foreach ($command in $Module.ExportedCmdlets.Values | Sort-Object Name) {
        $path = Join-Path $DocsPath "$($command.Name).md"
        if (-not (Test-Path $path)) { "$($command.Name): no page $path (run ./build.ps1 docs)"; continue }
        $page = Read-DockHelpPage $path
        if ($page.Text.Contains($Placeholder)) { "$($command.Name): the page still has placeholders ($Placeholder … }})" }
        if (-not $page.Synopsis) { "$($command.Name): no synopsis" }
        if (-not $page.Description) { "$($command.Name): no description" }
        if (-not ($page.Examples | Where-Object Code)) { "$($command.Name): no example" }
        $live = @(Get-DockCmdletSyntax $command | ForEach-Object Text)
        if (($live -join "`n") -ne ($page.Syntax -join "`n")) {
            "$($command.Name): the page's syntax differs from the cmdlet:`n  page: $($page.Syntax -join "`n        ")`n  live: $($live -join "`n        ")"
        }
        $liveParams = @($command.Parameters.Keys | Where-Object { $_ -notin $CommonParameters } | Sort-Object)
        $pageParams = @($page.Parameters.Name | Sort-Object)
        if (($liveParams -join ',') -ne ($pageParams -join ',')) {
            "$($command.Name): documented parameters ($($pageParams -join ', ')) differ from the cmdlet's ($($liveParams -join ', '))"
        }
        foreach ($p in $page.Parameters) { if (-not $p.Description) { "$($command.Name): parameter -$($p.Name) has no description" } }
    }
}

function ConvertTo-DockMaml {
    <#
    .SYNOPSIS
        Compiles docs/en-US into DockPS.dll-Help.xml (MAML) and about_*.help.txt topics.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $DocsPath, [Parameter(Mandatory)] [string] $OutputPath)

    $null = New-Item -ItemType Directory -Force $OutputPath
    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    $writer = [System.Xml.XmlWriter]::Create((Join-Path $OutputPath 'DockPS.dll-Help.xml'), $settings)
    $maml = 'http://schemas.microsoft.com/maml/2004/10'
    $cmd = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    $dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
    function Paras([string] $text) {
        foreach ($p in ($text -split "\n\s*\n") | Where-Object { $_.Trim() }) { $writer.WriteElementString('para', $maml, ($p -replace '\s*\n\s*', ' ').Trim()) }
    }
    function Description([string] $text) { $writer.WriteStartElement('description', $maml); Paras $text; $writer.WriteEndElement() }
    function TypeElement([string] $name) {
        $writer.WriteStartElement('type', $dev); $writer.WriteElementString('name', $maml, $name); $writer.WriteElementString('uri', $maml, ''); $writer.WriteEndElement()
    }
    function Parameter($p, [string] $position) {
        $y = $p.Yaml
        $writer.WriteStartElement('parameter', $cmd)
        $writer.WriteAttributeString('required', ($y['Required'] ?? 'False').ToLowerInvariant())
        $writer.WriteAttributeString('variableLength', 'true')
        $writer.WriteAttributeString('globbing', ($y['Accept wildcard characters'] ?? 'False').ToLowerInvariant())
        $writer.WriteAttributeString('pipelineInput', $y['Accept pipeline input'] ?? 'False')
        $writer.WriteAttributeString('position', $(if ($position) { $position } else { ($y['Position'] ?? 'Named').ToLowerInvariant() }))
        $writer.WriteAttributeString('aliases', $(if ($y['Aliases']) { $y['Aliases'] } else { 'none' }))
        $writer.WriteElementString('name', $maml, $p.Name)
        Description $p.Description
        if ($y['Type'] -ne 'SwitchParameter') {
            $writer.WriteStartElement('parameterValue', $cmd); $writer.WriteAttributeString('required', 'true'); $writer.WriteAttributeString('variableLength', 'false')
            $writer.WriteString($y['Type']); $writer.WriteEndElement()
        }
        TypeElement $y['Type']
        $writer.WriteElementString('defaultValue', $dev, $y['Default value'] ?? 'None')
        $writer.WriteEndElement()
    }

    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($file in Get-ChildItem $DocsPath -Filter '*-*.md' | Sort-Object Name) {
        $page = Read-DockHelpPage $file.FullName
        $verb, $noun = $page.Name -split '-', 2
        $writer.WriteStartElement('command', 'command', $cmd)
        $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
        $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)
        $writer.WriteStartElement('details', $cmd)
        $writer.WriteElementString('name', $cmd, $page.Name)
        $writer.WriteElementString('verb', $cmd, $verb)
        $writer.WriteElementString('noun', $cmd, $noun)
        Description $page.Synopsis
        $writer.WriteEndElement()
        Description $page.Description

        $writer.WriteStartElement('syntax', $cmd)
        $byName = @{}; foreach ($p in $page.Parameters) { $byName[$p.Name] = $p }
        foreach ($line in $page.Syntax) {
            $writer.WriteStartElement('syntaxItem', $cmd)
            $writer.WriteElementString('name', $maml, $page.Name)
            # Parameters only: in "Disconnect-Registry [-Registry]" the noun must not count as one.
            foreach ($m in [regex]::Matches($line, '(?<=[\s\[])-(?<n>[A-Za-z]+)')) {
                $name = $m.Groups['n'].Value
                if ($byName.ContainsKey($name)) { Parameter $byName[$name] $null }
            }
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()

        $writer.WriteStartElement('parameters', $cmd)
        foreach ($p in $page.Parameters) { Parameter $p $null }
        $writer.WriteEndElement()

        foreach ($kind in @(@{ Outer = 'inputTypes'; Inner = 'inputType'; Types = $page.Inputs }, @{ Outer = 'returnValues'; Inner = 'returnValue'; Types = $page.Outputs })) {
            $writer.WriteStartElement($kind.Outer, $cmd)
            foreach ($t in $kind.Types) {
                $writer.WriteStartElement($kind.Inner, $cmd); TypeElement $t; Description ''; $writer.WriteEndElement()
            }
            $writer.WriteEndElement()
        }
        $writer.WriteStartElement('alertSet', $maml); $writer.WriteStartElement('alert', $maml); Paras ($page.Notes ?? ''); $writer.WriteEndElement(); $writer.WriteEndElement()

        $writer.WriteStartElement('examples', $cmd)
        foreach ($e in $page.Examples) {
            $writer.WriteStartElement('example', $cmd)
            $writer.WriteElementString('title', $maml, "-------------------------- $($e.Title) --------------------------")
            $writer.WriteElementString('code', $dev, $e.Code)
            $writer.WriteStartElement('remarks', $dev); Paras $e.Remarks; $writer.WriteEndElement()
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()

        $writer.WriteStartElement('relatedLinks', $cmd)
        foreach ($l in $page.Links) {
            $writer.WriteStartElement('navigationLink', $maml); $writer.WriteElementString('linkText', $maml, $l.Text); $writer.WriteElementString('uri', $maml, $(if ($l.Uri -match '^https?:') { $l.Uri } else { '' })); $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
    $writer.Dispose()

    # About topics: the markdown minus its front matter, as plain text that Get-Help shows.
    foreach ($about in Get-ChildItem $DocsPath -Filter 'about_*.help.md') {
        $text = (Get-Content $about.FullName -Raw) -replace "`r`n", "`n" -replace '(?s)^---\n.*?\n---\n', ''
        $text = $text -replace '(?m)^#+ ', '' -replace '```(powershell)?\n', '' -replace '`', ''
        Set-Content -Path (Join-Path $OutputPath ($about.Name -replace '\.md$', '.txt')) -Value $text.TrimStart()
    }
}

Export-ModuleMember -Function Get-DockCmdletSyntax, Update-DockHelpMarkdown, Read-DockHelpPage, Test-DockHelpMarkdown, ConvertTo-DockMaml
