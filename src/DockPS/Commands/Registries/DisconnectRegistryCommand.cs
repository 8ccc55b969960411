using System.Management.Automation;
using DockPS.Client;

namespace DockPS.Commands.Registries;

/// <summary>
/// <para type="synopsis">Logs out of a registry: removes the stored login.</para>
/// <para type="description">Removes the login for a registry that Connect-Registry or docker login stored, like docker logout: the entry in the docker config.json ($env:DOCKER_CONFIG/config.json, else ~/.docker/config.json), every other setting in that file kept, and the login kept in this PowerShell session. Afterwards Receive-Image and Publish-Image go to that registry without credentials unless given -Credential. A registry with no stored login is a non-terminating ObjectNotFound error ("Not logged in to …"). The daemon is not contacted.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "Registry", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(void))]
public sealed class DisconnectRegistryCommand : PSCmdlet
{
    #region Parameters

    /// <summary><para type="description">The registry to log out of: host[:port]. A scheme or path is dropped, as docker logout does.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ServerAddress")]
    [ArgumentCompleter(typeof(RegistryNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Registry { get; set; } = [];

    #endregion

    /// <summary>Removes each registry's login.</summary>
    protected override void ProcessRecord()
    {
        foreach (var text in Registry)
        {
            string registry;
            try { registry = RegistryLogins.HostOf(text); }
            catch (ArgumentException e)
            {
                WriteError(new ErrorRecord(new DockException(e.Message, e), "InvalidRegistry", ErrorCategory.InvalidArgument, text));
                continue;
            }
            try
            {
                Remove(registry);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                WriteError(new ErrorRecord(new DockException($"The login for {registry} could not be removed: {e.Message}", e),
                    "RegistryLogoutFailed", ErrorCategory.WriteError, registry));
            }
        }
    }

    private void Remove(string registry)
    {
        var session = RegistryLogins.Session;
        var file = RegistryLogins.ConfigFile;
        var inSession = session.Registries.Contains(registry, StringComparer.OrdinalIgnoreCase);
        var inFile = file.Registries().Contains(registry, StringComparer.OrdinalIgnoreCase);
        if (!inSession && !inFile)
        {
            WriteError(new ErrorRecord(new DockException($"Not logged in to {registry}."), "RegistryLoginNotFound", ErrorCategory.ObjectNotFound, registry));
            return;
        }
        var where = string.Join(" and ", new[] { inFile ? file.Path : null, inSession ? "this session" : null }.OfType<string>());
        if (!ShouldProcess($"{registry} (stored in {where})", "Remove the registry login")) { return; }
        if (inSession) { session.Remove(registry); }
        if (inFile) { file.Remove(registry); }
        WriteVerbose($"Removed the login for {registry} from {where}.");
    }
}

/// <summary>Completes registry names from the stored logins (this session's and the docker config.json's).</summary>
public sealed class RegistryNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters)
    {
        IEnumerable<string> registries = RegistryLogins.Session.Registries;
        try { registries = registries.Concat(RegistryLogins.ConfigFile.Registries()); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException) { }
        var pattern = WildcardPattern.Get(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return registries.Distinct(StringComparer.OrdinalIgnoreCase).Where(pattern.IsMatch).Order(StringComparer.OrdinalIgnoreCase)
            .Select(r => new CompletionResult(r, r, CompletionResultType.ParameterValue, r)).ToList();
    }
}
