using System.Collections;
using System.Globalization;
using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Commands.Volumes;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Opens an interactive shell (or another program) in a running container, in this console.</para>
/// <para type="description">Runs a command with a terminal in a running container and connects the console to it, like docker exec -it: every key goes to the container (Ctrl+C too), the output appears as the program draws it, and the container's terminal follows the console's size. The session ends when the program exits (type exit in a shell); the console is then as it was. The console must be a terminal (not redirected input). -PassThru writes a DockExecResult with the exit code. To run a command and get its output as objects, use Invoke-ContainerCommand.</para>
/// </summary>
[Cmdlet(VerbsCommon.Enter, "Container")]
[OutputType(typeof(DockExecResult))]
public sealed class EnterContainerCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">The name or ID of the running container.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "Id")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string Container { get; set; } = "";

    /// <summary><para type="description">The program to run and its arguments (default: sh).</para></summary>
    [Parameter(Position = 1, ValueFromRemainingArguments = true)]
    [ValidateNotNullOrEmpty]
    public string[] Command { get; set; } = ["sh"];

    /// <summary><para type="description">Environment variables for the program: a hashtable of name to value.</para></summary>
    [Parameter]
    [Alias("Env")]
    public Hashtable? Environment { get; set; }

    /// <summary><para type="description">The user to run as instead of the container's.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    /// <summary><para type="description">The directory to start in instead of the container's working directory.</para></summary>
    [Parameter]
    [Alias("WorkDir")]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    /// <summary><para type="description">Write a DockExecResult with the program's exit code when the session ends.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <summary>Runs one session.</summary>
    protected override void ProcessRecord()
    {
        if (!TerminalSession.InputIsTerminal)
        {
            ThrowTerminatingError(new ErrorRecord(
                new DockException("Enter-Container needs a console: the input is not a terminal (use Invoke-ContainerCommand in scripts)"),
                "InputNotTerminal", ErrorCategory.InvalidOperation, Container));
        }
        string execId;
        Docker.DotNet.MultiplexedStream stream;
        try
        {
            var env = new List<string>();
            // The program draws for the console's terminal type, as docker exec -it lets it.
            if (System.Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term) { env.Add("TERM=" + term); }
            if (Environment is not null) { env.AddRange(VolumeObjects.Map(Environment).Select(e => $"{e.Key}={e.Value}")); }
            execId = Call((c, ct) => c.Exec.CreateContainerExecAsync(Container, new ContainerExecCreateParameters
            {
                Cmd = Command,
                Env = env,
                User = User!,
                WorkingDir = WorkingDirectory!,
                TTY = true,
                AttachStdin = true,
                AttachStdout = true,
                AttachStderr = true,
            }, ct)).ID;
            stream = Call((c, ct) => c.Exec.StartContainerExecAsync(execId, new ContainerExecStartParameters { TTY = true }, ct));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, ContainerObjects.IsNotFound(e) ? "ContainerNotFound" : ContainerObjects.IsConflict(e) ? "ContainerNotRunning" : "EnterContainerFailed",
                ContainerObjects.IsConflict(e) ? ErrorCategory.InvalidOperation : null, Container);
            return;
        }
        using (stream)
        {
            try
            {
                TerminalSession.Run(stream, (width, height, ct) =>
                    Client.Exec.ResizeExecTtyAsync(execId, new ContainerResizeParameters { Width = width, Height = height }, ct), Cancellation);
                var exitCode = ExecExit.Wait(this, execId);
                WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{string.Join(' ', Command)} exited with code {exitCode}."));
                if (PassThru) { WriteObject(new DockExecResult { Container = Container, ExecId = execId, ExitCode = exitCode }); }
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                Fail(e, "EnterContainerFailed", Container);
            }
        }
    }
}
