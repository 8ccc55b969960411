using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using DockPS.Commands.Volumes;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Runs a command in a running container.</para>
/// <para type="description">Runs a command inside a running container, like docker exec, and writes its stdout lines to the pipeline as they come. Its stderr lines go to the information stream (tag 'stderr'): they show in the console like Write-Host but stay out of the pipeline and never count as errors; 6>&amp;1 merges them into the output, 6>$null hides them. Strings piped in become the command's stdin, one line each. The exit code is not an error by default (as with native commands): -PassThru writes a DockExecResult (ExitCode, Output, Error, ExecId) instead of the lines, and -ErrorOnExitCode makes a non-zero exit code a non-terminating error. A container that is not running is an InvalidOperation error. For an interactive shell use Enter-Container.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ContainerCommand")]
[OutputType(typeof(string), typeof(DockExecResult))]
public sealed class InvokeContainerCommandCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">The name or ID of the running container.</para></summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Name", "Id")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string Container { get; set; } = "";

    /// <summary><para type="description">The command and its arguments. Every word after the container is part of it (web cat /etc/hostname); put -- before words that start with '-' (web -- ls -l /).</para></summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromRemainingArguments = true)]
    [ValidateNotNullOrEmpty]
    public string[] Command { get; set; } = [];

    /// <summary><para type="description">Environment variables for the command: a hashtable of name to value.</para></summary>
    [Parameter]
    [Alias("Env")]
    public Hashtable? Environment { get; set; }

    /// <summary><para type="description">The user to run as (name, uid, name:group or uid:gid) instead of the container's.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    /// <summary><para type="description">The directory to run in instead of the container's working directory.</para></summary>
    [Parameter]
    [Alias("WorkDir")]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    /// <summary><para type="description">Run the command with a terminal: its output is then one stream (stdout), with the terminal's line endings removed.</para></summary>
    [Parameter]
    public SwitchParameter Tty { get; set; }

    /// <summary><para type="description">Lines for the command's stdin; strings piped in are sent one per line, and stdin is closed after the last.</para></summary>
    [Parameter(ValueFromPipeline = true)]
    [AllowEmptyString]
    [AllowNull]
    public string? InputObject { get; set; }

    /// <summary><para type="description">Write one DockExecResult (ExitCode, Output, Error, ExecId) when the command ends, instead of its output lines.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary><para type="description">Report a non-zero exit code as a non-terminating error (ContainerCommandFailed).</para></summary>
    [Parameter]
    public SwitchParameter ErrorOnExitCode { get; set; }

    #endregion

    private string _execId = "";
    private MultiplexedStream? _stream;
    private OutputPump? _pump;
    private ProcessOutput? _output;
    private bool _stdin;

    /// <summary>Creates and starts the exec, with stdin when input is piped.</summary>
    protected override void BeginProcessing()
    {
        _stdin = MyInvocation.ExpectingInput;
        _output = new ProcessOutput(this, PassThru);
        try
        {
            var created = Call((c, ct) => c.Exec.CreateContainerExecAsync(Container, new ContainerExecCreateParameters
            {
                Cmd = Command,
                Env = Environment is null ? null! : [.. VolumeObjects.Map(Environment).Select(e => $"{e.Key}={e.Value}")],
                User = User!,
                WorkingDir = WorkingDirectory!,
                TTY = Tty,
                AttachStdin = _stdin,
                AttachStdout = true,
                AttachStderr = true,
            }, ct));
            _execId = created.ID;
            _stream = Call((c, ct) => c.Exec.StartContainerExecAsync(_execId, new ContainerExecStartParameters { TTY = Tty }, ct));
            _pump = new OutputPump(_stream, Cancellation);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, ContainerObjects.IsNotFound(e) ? "ContainerNotFound" : ContainerObjects.IsConflict(e) ? "ContainerNotRunning" : "InvokeContainerCommandFailed",
                ContainerObjects.IsConflict(e) ? ErrorCategory.InvalidOperation : null, Container);
        }
    }

    /// <summary>Sends one line of input, and writes the output that has come so far.</summary>
    protected override void ProcessRecord()
    {
        if (_stdin && _stream is not null && InputObject is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(InputObject + "\n");
            try { _stream.WriteAsync(bytes, 0, bytes.Length, Cancellation).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The command stopped reading (it may have ended): what it wrote still counts.
                WriteVerbose($"stdin of the command is closed: {e.Message}");
                _stdin = false;
            }
        }
        foreach (var line in _pump!.Ready()) { _output!.Write(line); }
    }

    /// <summary>Closes stdin, writes the rest of the output and the result.</summary>
    protected override void EndProcessing()
    {
        try
        {
            if (MyInvocation.ExpectingInput) { _stream!.CloseWrite(); }
            foreach (var line in _pump!.All(Cancellation)) { _output!.Write(line); }
            _pump.Completion.GetAwaiter().GetResult();
            var exitCode = ExecExit.Wait(this, _execId);
            WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"'{string.Join(' ', Command)}' exited with code {exitCode}."));
            if (PassThru)
            {
                WriteObject(new DockExecResult
                {
                    Container = Container,
                    ExecId = _execId,
                    ExitCode = exitCode,
                    Output = [.. _output!.Output],
                    Error = [.. _output.Error],
                });
            }
            if (ErrorOnExitCode && exitCode != 0)
            {
                WriteError(new ErrorRecord(
                    new DockException(string.Create(CultureInfo.InvariantCulture, $"'{string.Join(' ', Command)}' in {Container} exited with code {exitCode}")),
                    "ContainerCommandFailed", ErrorCategory.InvalidResult, Container));
            }
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, "InvokeContainerCommandFailed", Container);
        }
    }

    /// <summary>Closes the exec's connection.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) { _stream?.Dispose(); }
        base.Dispose(disposing);
    }
}

/// <summary>The exit code of a finished exec.</summary>
internal static class ExecExit
{
    /// <summary>
    /// Asks the daemon for the exec's exit code. The output ends as the process ends, so the daemon
    /// may still say "running" for a moment: asked again until it does not (or -1 after a while).
    /// </summary>
    public static int Wait(DockCmdlet cmdlet, string execId) => cmdlet.Call((c, ct) => WaitAsync(c, execId, ct));

    private static async Task<int> WaitAsync(DockerClient client, string execId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var inspect = await client.Exec.InspectContainerExecAsync(execId, cancellationToken).ConfigureAwait(false);
            if (!inspect.Running && inspect.ExitCode is { } code) { return (int)code; }
            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }
        return -1;
    }
}
