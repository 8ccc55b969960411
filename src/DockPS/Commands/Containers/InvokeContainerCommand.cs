using System.Globalization;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Runs a container from an image in one step: create, start, output, exit code.</para>
/// <para type="description">Creates a container, attaches to it before it starts (so no output is lost), starts it and writes its stdout lines to the pipeline until it exits, like docker run. Stderr lines go to the information stream (tag 'stderr'), shown in the console like Write-Host but kept out of the pipeline; 6>&amp;1 merges them. -PassThru writes one DockRunResult (Id, Name, ExitCode, Output, Error) instead of the lines; -ErrorOnExitCode makes a non-zero exit code a non-terminating error. -Remove removes the container when it exits (docker run --rm). -Detach starts it in the background and writes the DockContainer at once (docker run -d). Piped strings become its stdin (-Interactive is implied); -Interactive -Tty in a console connects the console to it, as Enter-Container does. Ctrl+C sends the container SIGINT and stops waiting. It takes every parameter of New-Container. (Invoke is the approved verb for running something once and getting its result, as Invoke-Command does; Start-Container is docker start, which only starts.)</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Container", DefaultParameterSetName = "Attached")]
[OutputType(typeof(string), typeof(DockRunResult), typeof(DockContainer))]
public sealed class InvokeContainerCommand : ContainerCreateCmdlet
{
    #region Parameters

    /// <summary><para type="description">Start the container in the background and write the DockContainer at once, without waiting for it (docker run -d).</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "Detached")]
    public SwitchParameter Detach { get; set; }

    /// <summary><para type="description">Remove the container when it exits (docker run --rm); the result object tells the exit code all the same.</para></summary>
    [Parameter]
    [Alias("Rm")]
    public SwitchParameter Remove { get; set; }

    /// <summary><para type="description">Lines for the container's stdin; strings piped in are sent one per line, and stdin is closed after the last.</para></summary>
    [Parameter(ValueFromPipeline = true, ParameterSetName = "Attached")]
    [AllowEmptyString]
    [AllowNull]
    public string? InputObject { get; set; }

    /// <summary><para type="description">Write one DockRunResult (Id, Name, ExitCode, Output, Error) when the container exits, instead of its output lines.</para></summary>
    [Parameter(ParameterSetName = "Attached")]
    public SwitchParameter PassThru { get; set; }

    /// <summary><para type="description">Report a non-zero exit code as a non-terminating error (ContainerExitedWithError).</para></summary>
    [Parameter(ParameterSetName = "Attached")]
    public SwitchParameter ErrorOnExitCode { get; set; }

    #endregion

    private string _id = "";
    private string _name = "";
    private bool _stdin;
    private bool _console;
    private MultiplexedStream? _stream;
    private OutputPump? _pump;
    private ProcessOutput? _output;
    private Task<HttpResponseMessage>? _wait;

    /// <summary>Creates, attaches and starts the container.</summary>
    protected override void BeginProcessing()
    {
        // Piped input means stdin; a terminal session needs it too.
        _stdin = !Detach && (MyInvocation.ExpectingInput || Interactive);
        _console = !Detach && Tty && Interactive && !MyInvocation.ExpectingInput && TerminalSession.InputIsTerminal;
        if (_stdin) { Interactive = true; }
        _output = new ProcessOutput(this, PassThru);
        try
        {
            var created = Call((c, ct) => c.Containers.CreateContainerAsync(BuildCreateParameters(Remove, stdinOnce: !Detach), ct));
            _id = created.ID;
            foreach (var warning in created.Warnings ?? []) { WriteWarning(warning); }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, NewContainerCommand.CreateErrorId(e), Name ?? Image);
        }
        try
        {
            if (Detach)
            {
                Call((c, ct) => c.Containers.StartContainerAsync(_id, new ContainerStartParameters(), ct));
                WriteObject(Call((c, ct) => ContainerObjects.DescribeAsync(c, _id, false, ResolvedAddress, ct)));
                return;
            }
            _name = Call((c, ct) => c.Containers.InspectContainerAsync(_id, ct)).Name.TrimStart('/');
            _stream = Call((c, ct) => c.Containers.AttachContainerAsync(_id, new ContainerAttachParameters
            {
                Stream = true,
                Stdin = _stdin,
                Stdout = true,
                Stderr = true,
            }, ct));
            // The daemon answers a wait's headers at once: once they are in, the exit cannot be missed.
            // An auto-removed container is waited for until it is gone, so it is gone when this returns.
            _wait = Http.SendAsync(HttpMethod.Post, $"containers/{_id}/wait?condition={(Remove ? "removed" : "next-exit")}", Cancellation);
            _wait.Wait(Cancellation);
            Call((c, ct) => c.Containers.StartContainerAsync(_id, new ContainerStartParameters(), ct));
            if (!_console) { _pump = new OutputPump(_stream, Cancellation); }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            // A container asked to go away after its run goes away when the run never comes.
            if (Remove) { TryRemove(); }
            Fail(e, "InvokeContainerFailed", _id);
        }
    }

    private void TryRemove()
    {
        try { Client.Containers.RemoveContainerAsync(_id, new ContainerRemoveParameters { Force = true }, CancellationToken.None).Wait(TimeSpan.FromSeconds(30)); }
        catch (AggregateException) { }
    }

    /// <summary>Sends one line of input, and writes the output that has come so far.</summary>
    protected override void ProcessRecord()
    {
        if (Detach || _pump is null) { return; }
        if (_stdin && InputObject is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(InputObject + "\n");
            try { _stream!.WriteAsync(bytes, 0, bytes.Length, Cancellation).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                WriteVerbose($"stdin of the container is closed: {e.Message}");
                _stdin = false;
            }
        }
        foreach (var line in _pump.Ready()) { _output!.Write(line); }
    }

    /// <summary>Writes the rest of the output, waits for the exit and writes the result.</summary>
    protected override void EndProcessing()
    {
        if (Detach) { return; }
        try
        {
            if (_console)
            {
                TerminalSession.Run(_stream!, (width, height, ct) =>
                    Client.Containers.ResizeContainerTtyAsync(_id, new ContainerResizeParameters { Width = width, Height = height }, ct), Cancellation);
            }
            else
            {
                if (_stdin) { _stream!.CloseWrite(); }
                foreach (var line in _pump!.All(Cancellation)) { _output!.Write(line); }
                _pump.Completion.GetAwaiter().GetResult();
            }
            var (exitCode, error) = ReadExit();
            if (error is not null) { WriteWarning(error); }
            WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{_name} exited with code {exitCode}."));
            if (PassThru)
            {
                WriteObject(new DockRunResult
                {
                    Id = _id,
                    Name = _name,
                    ExitCode = exitCode,
                    Output = [.. _output!.Output],
                    Error = [.. _output.Error],
                    Removed = Remove,
                });
            }
            if (ErrorOnExitCode && exitCode != 0)
            {
                WriteError(new ErrorRecord(
                    new DockException(string.Create(CultureInfo.InvariantCulture, $"container {_name} ({Image}) exited with code {exitCode}")),
                    "ContainerExitedWithError", ErrorCategory.InvalidResult, _name));
            }
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, "InvokeContainerFailed", _name);
        }
    }

    private (int ExitCode, string? Error) ReadExit()
    {
        using var response = _wait!.GetAwaiter().GetResult();
        using var body = JsonDocument.Parse(response.Content.ReadAsStringAsync(Cancellation).GetAwaiter().GetResult());
        var root = body.RootElement;
        var code = root.TryGetProperty("StatusCode", out var c) ? c.GetInt32() : -1;
        var error = root.TryGetProperty("Error", out var e) && e.ValueKind == JsonValueKind.Object
            && e.TryGetProperty("Message", out var m) && m.GetString() is { Length: > 0 } text ? text : null;
        return (code, error);
    }

    /// <summary>
    /// Ctrl+C: the container gets SIGINT, as docker run's signal proxy sends it, and the cmdlet stops
    /// waiting. A process that ignores SIGINT keeps running (Stop-Container stops it).
    /// </summary>
    protected override void StopProcessing()
    {
        base.StopProcessing();
        if (_id.Length == 0 || Detach) { return; }
        try
        {
            Client.Containers.KillContainerAsync(_id, new ContainerKillParameters { Signal = "SIGINT" }, CancellationToken.None)
                .Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException) { }
    }

    /// <summary>Closes the attach connection.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) { _stream?.Dispose(); }
        base.Dispose(disposing);
    }
}
