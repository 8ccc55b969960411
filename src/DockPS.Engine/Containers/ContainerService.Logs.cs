using DockPS.Engine.Containers.Logs;

namespace DockPS.Engine.Containers;

// Logs: the monitor writes each container's output to its json-file log; these read it back.
public sealed partial class ContainerService
{
    /// <summary>
    /// Writes the container's log to <paramref name="output"/> (framed by stream when the container
    /// has no terminal, as <c>docker logs</c> expects), following new lines until the container
    /// stops or the client goes when <see cref="LogReadOptions.Follow"/> is set.
    /// </summary>
    /// <exception cref="ArgumentException">The container's log driver keeps no log to read.</exception>
    public async Task WriteLogsAsync(string idOrName, LogReadOptions options, bool timestamps, Stream output, CancellationToken cancellationToken)
    {
        var container = _store.Find(idOrName);
        if (!LogOptions.Enabled(container.Config.Host.Log))
        {
            throw new ArgumentException($"configured logging driver does not support reading: {container.Config.Host.Log?.Type}");
        }
        // Following ends with the run: the reader drains what is left once the process exits.
        Task? stopped = null;
        if (options.Follow)
        {
            stopped = container.State.Running ? Live(container.Id).Exit.Task : Task.CompletedTask;
        }
        var writer = new LogStreamWriter(output, multiplexed: !container.Config.Tty, timestamps);
        var reader = new JsonFileLogReader(_files.LogPathOf(container.Id), options);
        await writer.CopyAsync(reader.ReadAsync(stopped, cancellationToken), cancellationToken);
    }

    private Task CopyLogAsync(ContainerRecord container, AttachOptions options, Stream output, CancellationToken cancellationToken) =>
        WriteLogsAsync(container.Id, new LogReadOptions { Stdout = options.Stdout, Stderr = options.Stderr }, timestamps: false, output, cancellationToken);
}
