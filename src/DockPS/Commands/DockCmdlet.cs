using System.Collections.Concurrent;
using System.Management.Automation;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using DockPS.Client;

namespace DockPS.Commands;

/// <summary>
/// The base of every cmdlet that talks to a daemon: the -HostAddress parameter, one client per
/// invocation, Ctrl+C as cancellation, and daemon errors turned into specific ErrorRecords.
/// </summary>
public abstract class DockCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private DockerClient? _client;
    private DaemonHttp? _http;

    #region Parameters

    /// <summary>
    /// <para type="description">The daemon to talk to: unix:///path or tcp://host:port. Defaults to $env:DOCKPS_HOST, then unix:///run/dockps/dockps.sock.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? HostAddress { get; set; }

    #endregion

    /// <summary>The address in force for this invocation.</summary>
    protected string ResolvedAddress => DaemonAddress.Resolve(HostAddress);

    /// <summary>Cancelled when the user presses Ctrl+C.</summary>
    protected CancellationToken Cancellation => _cancel.Token;

    /// <summary>The client for this invocation, opened (and the daemon auto-started) on first use.</summary>
    protected DockerClient Client => _client ??= DockConnection.Open(ResolvedAddress, WriteVerbose, Cancellation);

    /// <summary>Plain HTTP to the same daemon, for the calls Docker.DotNet cannot make (the daemon is started first, as for <see cref="Client"/>).</summary>
    protected DaemonHttp Http
    {
        get
        {
            _ = Client;
            return _http ??= new DaemonHttp(ResolvedAddress);
        }
    }

    /// <summary>Runs a daemon call to completion on the pipeline thread.</summary>
    protected internal T Call<T>(Func<DockerClient, CancellationToken, Task<T>> call) =>
        call(Client, Cancellation).GetAwaiter().GetResult();

    /// <summary>
    /// Runs a streaming daemon call whose items arrive on other threads, writing each item to the
    /// pipeline from this thread as it arrives (cmdlets may only write from their own thread).
    /// </summary>
    protected void Stream<TItem>(Func<DockerClient, IProgress<TItem>, CancellationToken, Task> call, Action<TItem> write)
    {
        using var items = new BlockingCollection<TItem>();
        var task = call(Client, new SyncProgress<TItem>(item => { if (!items.IsAddingCompleted) { items.Add(item); } }), Cancellation)
            .ContinueWith(t => { items.CompleteAdding(); return t; }, TaskScheduler.Default).Unwrap();
        try
        {
            foreach (var item in items.GetConsumingEnumerable(Cancellation)) { write(item); }
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            return;
        }
        try { task.GetAwaiter().GetResult(); }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested) { }
    }

    /// <summary>
    /// Waits for <paramref name="task"/> on the pipeline thread, showing <paramref name="poll"/>'s
    /// progress record every few tenths of a second (Write-Progress only works from this thread).
    /// </summary>
    protected void WaitWithProgress(Task task, Func<ProgressRecord> poll)
    {
        while (!task.Wait(250, Cancellation)) { WriteProgress(poll()); }
        var done = poll();
        done.RecordType = ProgressRecordType.Completed;
        WriteProgress(done);
        task.GetAwaiter().GetResult();
    }


    /// <summary>Reports a failure as a terminating error with a specific id and category.</summary>
    protected void Fail(Exception error, string errorId, object? target) => ThrowTerminatingError(ToErrorRecord(error, errorId, target));

    /// <summary>Reports a failure as a terminating error under a category the status code alone does not tell (null: the status code's).</summary>
    protected void Fail(Exception error, string errorId, ErrorCategory? category, object? target)
    {
        var mapped = ToErrorRecord(error, errorId, target);
        ThrowTerminatingError(category is { } c ? new ErrorRecord(mapped.Exception, errorId, c, target) : mapped);
    }

    /// <summary>Reports a per-item failure and goes on with the pipeline.</summary>
    protected void WriteFailure(Exception error, string errorId, object? target) => WriteError(ToErrorRecord(error, errorId, target));

    /// <summary>Reports a per-item failure under a category the status code alone does not tell (a 409 that means busy, not exists).</summary>
    protected void WriteFailure(Exception error, string errorId, ErrorCategory category, object? target)
    {
        var mapped = ToErrorRecord(error, errorId, target);
        WriteError(new ErrorRecord(mapped.Exception, errorId, category, target));
    }

    /// <summary>
    /// Maps a failure to an ErrorRecord: daemon 404 → ObjectNotFound, 409 → ResourceExists,
    /// 400 → InvalidArgument, no daemon → ConnectionError; the daemon's own message is kept.
    /// </summary>
    protected ErrorRecord ToErrorRecord(Exception error, string errorId, object? target)
    {
        error = Unwrap(error);
        var (category, message) = error switch
        {
            DockerApiException api => ((int)api.StatusCode switch
            {
                404 => ErrorCategory.ObjectNotFound,
                409 => ErrorCategory.ResourceExists,
                400 => ErrorCategory.InvalidArgument,
                401 or 403 => ErrorCategory.PermissionDenied,
                _ => ErrorCategory.NotSpecified,
            }, DaemonMessage(api)),
            HttpRequestException or SocketException or IOException =>
                (ErrorCategory.ConnectionError, $"Cannot reach the daemon at {ResolvedAddress}: {error.Message}"),
            DaemonStartException => (ErrorCategory.ResourceUnavailable, error.Message),
            ArgumentException => (ErrorCategory.InvalidArgument, error.Message),
            TimeoutException => (ErrorCategory.OperationTimeout, error.Message),
            _ => (ErrorCategory.NotSpecified, error.Message),
        };
        var record = new ErrorRecord(new DockException(message, error), errorId, category, target);
        return record;
    }

    private static Exception Unwrap(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } agg ? Unwrap(agg.InnerExceptions[0]) : e;

    private static string DaemonMessage(DockerApiException api)
    {
        try
        {
            using var doc = JsonDocument.Parse(api.ResponseBody ?? "");
            if (doc.RootElement.TryGetProperty("message", out var m) && m.GetString() is { } text) { return text; }
        }
        catch (JsonException) { }
        return $"the daemon answered {(int)api.StatusCode} {api.StatusCode}";
    }

    /// <summary>Cancels in-flight daemon calls on Ctrl+C.</summary>
    protected override void StopProcessing() => _cancel.Cancel();

    /// <summary>Ends what is still in flight (a followed stream when a downstream Select-Object -First stopped the pipeline) and releases the client.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the invocation holds; cmdlets with streams of their own add those.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) { return; }
        _cancel.Cancel();
        _client?.Dispose();
        _http?.Dispose();
        _cancel.Dispose();
    }
}

/// <summary>A DockPS failure carrying the daemon's (or the module's) explanation.</summary>
public sealed class DockException(string message, Exception? inner = null) : Exception(message, inner);
