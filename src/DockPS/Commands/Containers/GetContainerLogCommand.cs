using System.Collections.Concurrent;
using System.Globalization;
using System.Management.Automation;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Gets the output a container has written.</para>
/// <para type="description">Writes a container's logged output as DockContainerLogLine objects (Container, Stream, Time, Text), like docker logs: each line once, without its line break, with the time the daemon read it. -Tail keeps the last n lines; -Since and -Until keep a time window; -Stream picks Stdout or Stderr (a container with a terminal has one stream, Stdout). -Follow goes on writing lines as the container writes them, until it stops or Ctrl+C. -Timestamps shows the time in the default view (the Time property is always there).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ContainerLog")]
[OutputType(typeof(DockContainerLogLine))]
public sealed class GetContainerLogCommand : DockCmdlet
{
    /// <summary>The type name that selects the view with a time column (-Timestamps).</summary>
    public const string TimestampsView = "DockPS.Types.DockContainerLogLine#Timestamps";

    #region Parameters

    /// <summary><para type="description">Names or IDs of the containers.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Container")]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary><para type="description">Go on writing new lines until the container stops or Ctrl+C is pressed.</para></summary>
    [Parameter]
    public SwitchParameter Follow { get; set; }

    /// <summary><para type="description">Only the last n lines (of each stream together) before following.</para></summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Tail { get; set; } = -1;

    /// <summary><para type="description">Only lines written at or after this time.</para></summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary><para type="description">Only lines written before this time.</para></summary>
    [Parameter]
    public DateTime? Until { get; set; }

    /// <summary><para type="description">Show each line's time in the default view.</para></summary>
    [Parameter]
    public SwitchParameter Timestamps { get; set; }

    /// <summary><para type="description">Which output: All (default), Stdout or Stderr.</para></summary>
    [Parameter]
    [ValidateSet("All", "Stdout", "Stderr")]
    public string Stream { get; set; } = "All";

    #endregion

    /// <summary>Writes each container's lines.</summary>
    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            try
            {
                WriteLog(name);
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ContainerObjects.IsNotFound(e))
            {
                WriteFailure(e, "ContainerNotFound", name);
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteFailure(e, "GetContainerLogFailed", name);
            }
        }
    }

    private void WriteLog(string name)
    {
        // The frames tell stdout from stderr only without a terminal: the inspect answer says which.
        var inspect = Call((c, ct) => c.Containers.InspectContainerAsync(name, ct));
        var query = new List<string>
        {
            "timestamps=1",
            $"stdout={(Stream is "All" or "Stdout" ? 1 : 0)}",
            $"stderr={(Stream is "All" or "Stderr" ? 1 : 0)}",
        };
        if (Follow) { query.Add("follow=1"); }
        if (Tail >= 0) { query.Add(string.Create(CultureInfo.InvariantCulture, $"tail={Tail}")); }
        if (Since is { } since) { query.Add("since=" + LogReader.ToUnixText(since)); }
        if (Until is { } until) { query.Add("until=" + LogReader.ToUnixText(until)); }
        var container = inspect.Name?.TrimStart('/') is { Length: > 0 } n ? n : name;

        // Not disposed: the reading task may still hold it when a stopped pipeline leaves early.
        var lines = new BlockingCollection<DockContainerLogLine>(boundedCapacity: 1024);
        var http = Http;
        var reading = Task.Run(async () =>
        {
            try
            {
                using var response = await http.SendAsync(HttpMethod.Get, $"containers/{inspect.ID}/logs?{string.Join('&', query)}", Cancellation).ConfigureAwait(false);
                await using var body = await response.Content.ReadAsStreamAsync(Cancellation).ConfigureAwait(false);
                await foreach (var line in LogReader.ReadAsync(body, inspect.Config?.Tty != true, container, Cancellation).ConfigureAwait(false))
                {
                    lines.Add(line, Cancellation);
                }
            }
            finally
            {
                lines.CompleteAdding();
            }
        }, CancellationToken.None);
        foreach (var line in lines.GetConsumingEnumerable(Cancellation))
        {
            var record = PSObject.AsPSObject(line);
            if (Timestamps) { record.TypeNames.Insert(0, TimestampsView); }
            WriteObject(record);
        }
        reading.GetAwaiter().GetResult();
    }
}
