using System.Management.Automation;

namespace DockPS.Commands.Containers;

/// <summary>
/// Where the lines of a process in a container go, for Invoke-ContainerCommand and Invoke-Container
/// alike. Stdout lines are the command's output: strings down the pipeline, as a native command's
/// are (or kept for the result object with -PassThru). Stderr lines are diagnostics, not failures
/// (many programs log there): they go to the information stream tagged 'stderr', shown like
/// Write-Host, so they reach the console without entering the pipeline or tripping -ErrorAction;
/// 6>&amp;1 merges them, 6>$null or -InformationAction Ignore drops them. The exit code says
/// whether the command failed.
/// </summary>
internal sealed class ProcessOutput(Cmdlet cmdlet, bool collect)
{
    /// <summary>Stdout lines kept for the result (with -PassThru).</summary>
    public List<string> Output { get; } = [];

    /// <summary>Stderr lines kept for the result (with -PassThru).</summary>
    public List<string> Error { get; } = [];

    /// <summary>Writes (or keeps) one line; call it on the pipeline thread only.</summary>
    public void Write(OutputLine line)
    {
        if (line.Stderr)
        {
            if (collect) { Error.Add(line.Text); }
            cmdlet.WriteInformation(new HostInformationMessage { Message = line.Text }, ["PSHOST", "stderr"]);
        }
        else if (collect)
        {
            Output.Add(line.Text);
        }
        else
        {
            cmdlet.WriteObject(line.Text);
        }
    }
}
