using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Client;

namespace DockPS.Commands.Images;

/// <summary>
/// Shows a pull's or push's JSON progress messages as Write-Progress bars (one per layer) and
/// turns an error message in the stream into an exception: the shared half of Receive-Image
/// and Publish-Image.
/// </summary>
internal sealed class ImageTransfer(DockCmdlet cmdlet, string activity)
{
    private readonly Dictionary<string, int> _bars = [];
    private readonly List<string> _statuses = [];

    /// <summary>The status lines without a layer ID ("Digest: …", "Status: …").</summary>
    public IReadOnlyList<string> Statuses => _statuses;

    /// <summary>
    /// Registry credentials as the Engine API carries them (X-Registry-Auth; never logged): the
    /// -Credential given, else the login Connect-Registry or docker login stored for the registry
    /// (read here, on the client, as the docker CLI does, so it works whatever user or
    /// DOCKER_CONFIG the daemon runs with), else none (the daemon may still have its own).
    /// </summary>
    public AuthConfig Auth(PSCredential? credential, string? registry)
    {
        if (credential is not null)
        {
            return new AuthConfig { Username = credential.UserName, Password = credential.GetNetworkCredential().Password, ServerAddress = registry };
        }
        if (registry is null || RegistryLogins.FindFor(cmdlet, registry) is not { } stored) { return new AuthConfig(); }
        return stored.IdentityToken is { } token
            ? new AuthConfig { Username = stored.Username, IdentityToken = token, ServerAddress = registry }
            : new AuthConfig { Username = stored.Username, Password = stored.Password, ServerAddress = registry };
    }

    /// <summary>Handles one message on the pipeline thread.</summary>
    public void Show(JSONMessage message)
    {
        if (message.Error is { } error) { throw new DockException(error.Message ?? "the transfer failed"); }
        if (string.IsNullOrEmpty(message.ID))
        {
            if (message.Status is { Length: > 0 } status) { _statuses.Add(status); cmdlet.WriteVerbose(status); }
            return;
        }
        if (!_bars.TryGetValue(message.ID, out var bar)) { _bars[message.ID] = bar = _bars.Count + 1; }
        var record = new ProgressRecord(bar, $"{activity} {message.ID}", message.Status ?? "…");
        if (message.Progress is { Current: { } current, Total: { } total } && total > 0)
        {
            record.PercentComplete = (int)Math.Clamp(100 * current / total, 0, 100);
            record.StatusDescription = $"{message.Status} {current / 1048576.0:N1} of {total / 1048576.0:N1} MiB";
        }
        if (message.Status is "Pull complete" or "Pushed" or "Already exists" or "Layer already exists" || message.Status?.StartsWith("Mounted", StringComparison.Ordinal) == true)
        {
            record.RecordType = ProgressRecordType.Completed;
        }
        cmdlet.WriteProgress(record);
    }

}
