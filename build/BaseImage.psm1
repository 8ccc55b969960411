# The busybox base image, made without a registry: Debian's busybox-static binary, its applet
# links, and a minimal /etc. The demo and the tests import it with Import-Image.

Set-StrictMode -Version Latest

function New-BusyboxTarball {
    <#
    .SYNOPSIS
        Writes a root filesystem tarball of busybox (from busybox-static) to -Path.
    #>
    [CmdletBinding()]
    [OutputType([System.IO.FileInfo])]
    param([Parameter(Mandatory)] [string] $Path)

    $busybox = '/bin/busybox'
    if (-not (Test-Path $busybox) -or -not ((& file -b $busybox 2>$null) -match 'static' -or (& ldd $busybox 2>&1) -match 'not a dynamic')) {
        throw "$busybox (from Debian's busybox-static) is needed to make the base image: apt-get install busybox-static"
    }
    $root = Join-Path ([System.IO.Path]::GetTempPath()) ("rootfs-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
    try {
        foreach ($dir in 'bin', 'etc', 'tmp', 'root', 'home', 'proc', 'sys', 'dev', 'var/log', 'usr/bin', 'sbin') {
            $null = New-Item -ItemType Directory -Force (Join-Path $root $dir)
        }
        Copy-Item $busybox (Join-Path $root 'bin/busybox')
        foreach ($applet in & $busybox --list-full) {
            $link = Join-Path $root $applet
            if ($applet -eq 'bin/busybox' -or (Test-Path $link)) { continue }
            $null = New-Item -ItemType Directory -Force (Split-Path $link)
            $null = New-Item -ItemType SymbolicLink -Path $link -Target '/bin/busybox'
        }
        Set-Content (Join-Path $root 'etc/passwd') "root:x:0:0:root:/root:/bin/sh`nnobody:x:65534:65534:nobody:/nonexistent:/bin/false"
        Set-Content (Join-Path $root 'etc/group') "root:x:0:`nnogroup:x:65534:"
        & chmod 1777 (Join-Path $root 'tmp')
        & tar --numeric-owner --owner=0 --group=0 -C $root -cf $Path .
        if ($LASTEXITCODE -ne 0) { throw "tar failed making $Path" }
        Get-Item $Path
    }
    finally {
        Remove-Item $root -Recurse -Force -ErrorAction Ignore
    }
}

Export-ModuleMember -Function New-BusyboxTarball
