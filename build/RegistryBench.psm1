# Registry speed figures for `build.ps1 bench`: blob PUT and GET throughput (100 MiB, monolithic
# POST+PUT with curl) and the small-request rate (1 KiB manifests PUT and GET by 4 concurrent
# curl clients, each one process keeping its connection) against the bundled dockps-registry and
# Debian's docker-registry on the same machine, as ratios; blob GET also beside a raw read of the
# same file over loopback. Medians; nothing here is asserted.

Set-StrictMode -Version Latest

Import-Module (Join-Path $PSScriptRoot 'ContainerBench.psm1') -Force   # Get-BenchMedian, Measure-Ms

# The raw-read reference: a minimal HTTP/1.1 server on loopback that answers every request with
# the whole file, either through the kernel's sendfile (Socket.SendFile, path /sendfile) or by
# plain 1 MiB reads and sends (any other path). The bench takes the faster of the two for each
# run: on this machine's virtual loopback the plain copy beats sendfile (1.6 against 1.1 GiB/s
# in Python), so sendfile alone would be a flattering ceiling rather than an honest one.
$rawServerSource = @'
using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

public sealed class DockBenchRawFileServer : IDisposable
{
    private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
    private readonly string _path;
    private readonly long _length;
    private readonly Thread _thread;

    public DockBenchRawFileServer(string path)
    {
        _path = path;
        _length = new FileInfo(path).Length;
        _listener.Start();
        _thread = new Thread(Serve) { IsBackground = true };
        _thread.Start();
    }

    public int Port { get { return ((IPEndPoint)_listener.LocalEndpoint).Port; } }

    private void Serve()
    {
        while (true)
        {
            Socket socket;
            try { socket = _listener.AcceptSocket(); } catch { return; }
            try
            {
                // Read the request head (curl sends one request per connection here).
                var buffer = new byte[8192];
                var seen = 0;
                while (seen < buffer.Length)
                {
                    var n = socket.Receive(buffer, seen, buffer.Length - seen, SocketFlags.None);
                    if (n == 0) break;
                    seen += n;
                    if (Encoding.ASCII.GetString(buffer, 0, seen).Contains("\r\n\r\n")) break;
                }
                var head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                    _length + "\r\nConnection: close\r\n\r\n");
                if (Encoding.ASCII.GetString(buffer, 0, seen).StartsWith("GET /sendfile ", StringComparison.Ordinal))
                {
                    socket.SendFile(_path, head, null, TransmitFileOptions.UseDefaultWorkerThread);
                }
                else
                {
                    socket.Send(head);
                    var chunk = new byte[1 << 20];
                    using (var file = File.OpenRead(_path))
                    {
                        int n;
                        while ((n = file.Read(chunk, 0, chunk.Length)) > 0) { socket.Send(chunk, 0, n, SocketFlags.None); }
                    }
                }
                socket.Shutdown(SocketShutdown.Send);
            }
            catch { }
            finally { socket.Dispose(); }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _thread.Join(5000);
    }
}
'@

function Start-DockpsBenchRegistry {
    # The bundled registry as a child process on a free loopback port with its own temp root.
    param([Parameter(Mandatory)] [string] $RegistryPath)
    $dir = New-DockTestDir
    $port = Get-FreeTcpPort
    $process = Start-Process $RegistryPath -ArgumentList 'serve', '--root', "$dir/root", '--listen', "127.0.0.1:$port" `
        -RedirectStandardError "$dir/registry.log" -RedirectStandardOutput "$dir/registry.out" -PassThru
    if (-not (Wait-DockCondition -TimeoutSeconds 30 -Condition { Test-DockAnswers "tcp://127.0.0.1:$port" })) {
        if (-not $process.HasExited) { $process.Kill(); $process.WaitForExit() }
        throw "dockps-registry did not start: $(Get-Content "$dir/registry.log" -Raw)"
    }
    [pscustomobject]@{ Address = "127.0.0.1:$port"; Process = $process; Dir = $dir }
}

function Invoke-BenchCurl {
    # One curl request; returns the requested -w fields split on spaces. Throws on an unexpected status.
    param([string[]] $Arguments, [string] $Expect)
    $out = & curl -s -S @Arguments -w '%{http_code} %{time_total} %{size_download} %{size_upload}'
    if ($LASTEXITCODE -ne 0) { throw "curl $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
    $fields = "$out".Trim() -split ' '
    if ($fields[0] -ne $Expect) { throw "curl $($Arguments -join ' '): HTTP $($fields[0]), expected $Expect" }
    [pscustomobject]@{ Code = $fields[0]; Seconds = [double]::Parse($fields[1], [cultureinfo]::InvariantCulture); Down = [long]$fields[2]; Up = [long]$fields[3] }
}

function New-BenchUpload {
    # POST an upload session; returns its absolute Location (the bundled registry answers with a path).
    param([string] $Address, [string] $Repository)
    $headers = & curl -s -S -o /dev/null -D - -X POST "http://$Address/v2/$Repository/blobs/uploads/"
    $line = $headers | Where-Object { $_ -match '^Location:' } | Select-Object -First 1
    if (-not $line) { throw "POST /v2/$Repository/blobs/uploads/ at $Address gave no Location: $($headers -join ' ')" }
    $location = ($line -split ':', 2)[1].Trim()
    if ($location.StartsWith('/')) { $location = "http://$Address$location" }
    $location
}

function Send-BenchBlob {
    # Monolithic POST+PUT of a file; returns the PUT's curl figures.
    param([string] $Address, [string] $Repository, [string] $File, [string] $Digest)
    $location = New-BenchUpload $Address $Repository
    $separator = if ($location.Contains('?')) { '&' } else { '?' }
    Invoke-BenchCurl -Expect 201 -Arguments @('-o', '/dev/null', '-X', 'PUT', '-H', 'Content-Type: application/octet-stream',
        '--data-binary', "@$File", "$location${separator}digest=$Digest")
}

function Measure-BlobThroughput {
    # $Runs monolithic PUTs (each to a new repository) and GETs to /dev/null of a file; MiB/s per
    # run. Each GET is followed by GETs of the same file from the raw server at $RawUrl (sendfile
    # and plain copy, the faster counts), so the share of the raw read compares runs made under
    # the same load from the other tenants.
    param([string] $Address, [string] $File, [string] $Digest, [int] $Runs, [string] $RawUrl)
    $mib = (Get-Item $File).Length / 1MB
    $put = @(); $get = @(); $raw = @()
    foreach ($i in 1..$Runs) {
        $repository = "bench/blob$i"
        $put += $mib / (Send-BenchBlob $Address $repository $File $Digest).Seconds
        $got = Invoke-BenchCurl -Expect 200 -Arguments @('-o', '/dev/null', "http://$Address/v2/$repository/blobs/$Digest")
        if ($got.Down -ne (Get-Item $File).Length) { throw "GET of $Digest at $Address returned $($got.Down) bytes" }
        $get += $mib / $got.Seconds
        $best = 0
        foreach ($way in 'sendfile', 'copy') {
            $got = Invoke-BenchCurl -Expect 200 -Arguments @('-o', '/dev/null', "$RawUrl/$way")
            $best = [Math]::Max($best, ($got.Down / 1MB) / $got.Seconds)
        }
        $raw += $best
    }
    [pscustomobject]@{ PutMiBs = Get-BenchMedian $put; GetMiBs = Get-BenchMedian $get; RawMiBs = Get-BenchMedian $raw }
}

function New-BenchManifestSet {
    # $Clients x $PerClient distinct OCI image manifests of exactly 1 KiB for run $Run, each naming
    # the config and layer blobs already in the repository; returns one file list per client.
    param([string] $Dir, [int] $Run, [int] $Clients, [int] $PerClient, [string] $ConfigDigest, [long] $ConfigSize, [string] $LayerDigest, [long] $LayerSize)
    $null = New-Item -ItemType Directory -Force "$Dir/manifests$Run"
    foreach ($c in 1..$Clients) {
        , @(foreach ($i in 1..$PerClient) {
            $head = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",' +
                "`"config`":{`"mediaType`":`"application/vnd.oci.image.config.v1+json`",`"digest`":`"$ConfigDigest`",`"size`":$ConfigSize}," +
                "`"layers`":[{`"mediaType`":`"application/vnd.oci.image.layer.v1.tar`",`"digest`":`"$LayerDigest`",`"size`":$LayerSize}]," +
                "`"annotations`":{`"bench`":`"run $Run client $c request $i`",`"pad`":`""
            $tail = '"}}'
            $text = $head + ('x' * (1024 - $head.Length - $tail.Length)) + $tail
            $path = "$Dir/manifests$Run/$c-$i.json"
            [System.IO.File]::WriteAllText($path, $text)
            [pscustomobject]@{ Tag = "r$Run-c$c-$i"; Path = $path }
        })
    }
}

function Invoke-ConcurrentCurl {
    # Starts one curl per config file at once and waits for all; returns elapsed seconds. Every
    # response's status must be $Expect (each config writes one status per line).
    param([string[]] $ConfigFiles, [string] $Expect)
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $processes = foreach ($config in $ConfigFiles) {
        $start = [System.Diagnostics.ProcessStartInfo]::new('curl')
        foreach ($a in '-s', '-S', '-K', $config) { $start.ArgumentList.Add($a) }
        $start.RedirectStandardOutput = $true
        $process = [System.Diagnostics.Process]::Start($start)
        [pscustomobject]@{ Process = $process; Output = $process.StandardOutput.ReadToEndAsync() }
    }
    foreach ($p in $processes) { $p.Process.WaitForExit() }
    $seconds = $watch.Elapsed.TotalSeconds
    foreach ($p in $processes) {
        $codes = @($p.Output.Result -split "`n" | Where-Object { $_ })
        $bad = @($codes | Where-Object { $_ -ne $Expect })
        $exit = $p.Process.ExitCode
        $p.Process.Dispose()
        if ($exit -ne 0 -or $bad.Count -gt 0) { throw "curl -K $($ConfigFiles -join ', ') exit $exit, statuses other than ${Expect}: $(($bad | Select-Object -Unique) -join ' ')" }
    }
    $seconds
}

function Measure-ManifestRate {
    # For each run: every client PUTs its own 1 KiB manifests by tag on one kept-alive connection,
    # all clients at once; then each GETs them back by tag. Requests per second over the wall time.
    param([string] $Address, [string] $Dir, [object[]] $Sets, [string] $Label)
    $put = @(); $get = @()
    $accept = 'application/vnd.oci.image.manifest.v1+json'
    foreach ($run in 0..($Sets.Count - 1)) {
        $putConfigs = @(); $getConfigs = @(); $count = 0
        foreach ($c in 0..($Sets[$run].Count - 1)) {
            $putLines = [System.Collections.Generic.List[string]]::new()
            $getLines = [System.Collections.Generic.List[string]]::new()
            foreach ($a in "header = `"Content-Type: $accept`"", "header = `"Accept: $accept`"", 'write-out = "%{http_code}\n"') { $putLines.Add($a); $getLines.Add($a) }
            foreach ($m in $Sets[$run][$c]) {
                $url = "http://$Address/v2/bench/small/manifests/$($m.Tag)"
                $putLines.Add("url = `"$url`""); $putLines.Add("upload-file = `"$($m.Path)`""); $putLines.Add('output = "/dev/null"')
                $getLines.Add("url = `"$url`""); $getLines.Add('output = "/dev/null"')
                $count++
            }
            $putConfigs += "$Dir/$Label-put-$run-$c.curl"; [System.IO.File]::WriteAllLines($putConfigs[-1], $putLines)
            $getConfigs += "$Dir/$Label-get-$run-$c.curl"; [System.IO.File]::WriteAllLines($getConfigs[-1], $getLines)
        }
        $put += $count / (Invoke-ConcurrentCurl $putConfigs '201')
        $get += $count / (Invoke-ConcurrentCurl $getConfigs '200')
    }
    [pscustomobject]@{ PutRate = Get-BenchMedian $put; GetRate = Get-BenchMedian $get }
}

function Measure-RegistryFigures {
    param([string] $Address, [string] $Dir, [string] $Label, [hashtable] $Blob, [hashtable] $Small, [object[]] $Sets, [int] $ThroughputRuns, [string] $RawUrl)
    # Warm-up, unmeasured: a small blob and a manifest, so first-request costs are not timed.
    $null = Send-BenchBlob $Address 'bench/small' $Small.ConfigFile $Small.ConfigDigest
    $null = Send-BenchBlob $Address 'bench/small' $Small.LayerFile $Small.LayerDigest
    $null = Invoke-BenchCurl -Expect 201 -Arguments @('-o', '/dev/null', '-X', 'PUT', '-H', 'Content-Type: application/vnd.oci.image.manifest.v1+json',
        '--data-binary', "@$($Sets[0][0][0].Path)", "http://$Address/v2/bench/small/manifests/warmup")
    $null = Invoke-BenchCurl -Expect 200 -Arguments @('-o', '/dev/null', '-H', 'Accept: application/vnd.oci.image.manifest.v1+json', "http://$Address/v2/bench/small/manifests/warmup")
    $throughput = Measure-BlobThroughput $Address $Blob.File $Blob.Digest $ThroughputRuns $RawUrl
    $rate = Measure-ManifestRate $Address $Dir $Sets $Label
    [pscustomobject]@{ Name = $Label; PutMiBs = $throughput.PutMiBs; GetMiBs = $throughput.GetMiBs; RawMiBs = $throughput.RawMiBs; PutRate = $rate.PutRate; GetRate = $rate.GetRate }
}

function Invoke-RegistryBench {
    <#
    .SYNOPSIS
        Prints blob PUT/GET throughput and the 1 KiB manifest request rate of the bundled registry
        and of Debian's docker-registry, as ratios, and blob GET beside a raw read over loopback.
    #>
    param(
        [Parameter(Mandatory)] [string] $Root,
        [Parameter(Mandatory)] [string] $ModulePath,
        [int] $ThroughputRuns = 5,
        [int] $RateRuns = 3,
        [int] $Clients = 4,
        [int] $PerClient = 50
    )
    Import-Module (Join-Path $Root 'tests/pester/TestHelpers.psm1') -Force
    if (-not ('DockBenchRawFileServer' -as [type])) { Add-Type -TypeDefinition $rawServerSource }
    $registryPath = Join-Path (Split-Path $ModulePath) 'dockps-registry'
    if (-not (Test-Path $registryPath)) { throw "$registryPath is missing: build first" }

    Write-Host ("==> registry: 100 MiB blob PUT/GET ($ThroughputRuns runs), 1 KiB manifests PUT/GET by $Clients concurrent curl clients " +
        "($($Clients * $PerClient) requests, $RateRuns runs); dockps-registry vs Debian docker-registry on loopback") -ForegroundColor Cyan
    $dir = New-DockTestDir
    $ours = $null; $theirs = $null; $raw = $null
    try {
        $blobFile = "$dir/blob.bin"
        & head -c 104857600 /dev/urandom > $blobFile
        $blob = @{ File = $blobFile; Digest = 'sha256:' + (Get-FileHash $blobFile -Algorithm SHA256).Hash.ToLowerInvariant() }
        [System.IO.File]::WriteAllText("$dir/config.json", '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}')
        & head -c 4096 /dev/urandom > "$dir/layer.bin"
        $small = @{
            ConfigFile = "$dir/config.json"; ConfigDigest = 'sha256:' + (Get-FileHash "$dir/config.json" -Algorithm SHA256).Hash.ToLowerInvariant()
            LayerFile = "$dir/layer.bin"; LayerDigest = 'sha256:' + (Get-FileHash "$dir/layer.bin" -Algorithm SHA256).Hash.ToLowerInvariant()
        }
        $sets = @(foreach ($run in 1..$RateRuns) {
            , @(New-BenchManifestSet -Dir $dir -Run $run -Clients $Clients -PerClient $PerClient -ConfigDigest $small.ConfigDigest `
                -ConfigSize (Get-Item $small.ConfigFile).Length -LayerDigest $small.LayerDigest -LayerSize (Get-Item $small.LayerFile).Length)
        })

        $raw = [DockBenchRawFileServer]::new($blobFile)
        $rawUrl = "http://127.0.0.1:$($raw.Port)"
        # One registry at a time, so neither competes with the other for the two cores.
        $ours = Start-DockpsBenchRegistry $registryPath
        $oursFigures = Measure-RegistryFigures $ours.Address $dir 'dockps-registry' $blob $small $sets $ThroughputRuns $rawUrl
        Stop-TestRegistry $ours; $ours = $null
        $theirs = Start-TestRegistry
        $theirsFigures = Measure-RegistryFigures $theirs.Address $dir 'docker-registry' $blob $small $sets $ThroughputRuns $rawUrl
        Stop-TestRegistry $theirs; $theirs = $null

        $o = $oursFigures; $t = $theirsFigures
        Write-Host ('    blob PUT:     dockps-registry {0,7:N0} MiB/s, docker-registry {1,7:N0} MiB/s  ours/reference {2:N2}x (target >= 1.0)' -f $o.PutMiBs, $t.PutMiBs, ($o.PutMiBs / $t.PutMiBs))
        Write-Host ('    blob GET:     dockps-registry {0,7:N0} MiB/s, docker-registry {1,7:N0} MiB/s  ours/reference {2:N2}x (target >= 1.0)' -f $o.GetMiBs, $t.GetMiBs, ($o.GetMiBs / $t.GetMiBs))
        Write-Host ('    manifest PUT: dockps-registry {0,7:N0} req/s, docker-registry {1,7:N0} req/s  ours/reference {2:N2}x (target >= 1.0)' -f $o.PutRate, $t.PutRate, ($o.PutRate / $t.PutRate))
        Write-Host ('    manifest GET: dockps-registry {0,7:N0} req/s, docker-registry {1,7:N0} req/s  ours/reference {2:N2}x (target >= 1.0)' -f $o.GetRate, $t.GetRate, ($o.GetRate / $t.GetRate))
        Write-Host ('    raw read of the same file over loopback (an HTTP server in this pwsh, the faster of sendfile and 1 MiB copies, curl to /dev/null; after each blob GET): {0:N0} MiB/s beside dockps-registry, {1:N0} MiB/s beside docker-registry' -f $o.RawMiBs, $t.RawMiBs)
        Write-Host ('    blob GET as a share of the raw read: dockps-registry {0:P0} (target >= 80%), docker-registry {1:P0}' -f ($o.GetMiBs / $o.RawMiBs), ($t.GetMiBs / $t.RawMiBs))
    }
    finally {
        if ($raw) { $raw.Dispose() }
        if ($ours) { Stop-TestRegistry $ours }
        if ($theirs) { Stop-TestRegistry $theirs }
        Remove-Item $dir -Recurse -Force -ErrorAction Ignore
    }
}

Export-ModuleMember -Function Invoke-RegistryBench
