using System.Management.Automation;
using Docker.DotNet;
using Docker.DotNet.Models;
using DockPS.Client;
using DockPS.Types;

namespace DockPS.Commands.Registries;

/// <summary>
/// <para type="synopsis">Logs in to a registry: checks a credential and stores it for pulls and pushes.</para>
/// <para type="description">Sends the credential to the daemon, which checks it against the registry, like docker login. When the registry accepts it, the login is stored and Receive-Image and Publish-Image use it for that registry whenever they get no -Credential. By default it is written to the docker config.json ($env:DOCKER_CONFIG/config.json, else ~/.docker/config.json), in the same "auths" form docker login writes, so the docker CLI, other sessions and a daemon reading that file share it; the file is replaced atomically, readable by its owner only, and every other setting in it is kept. With -Scope Session it is kept in memory for this PowerShell session only. A refused credential is an AuthenticationError and stores nothing. Returns the registry, the user name and where the login went; the password is never shown, logged or written to any output.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "Registry")]
[OutputType(typeof(RegistryLogin))]
public sealed class ConnectRegistryCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">The registry to log in to: host[:port], e.g. localhost:5000. A scheme or path (https://host:5000/v2/) is dropped, as docker login does.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServerAddress")]
    [ArgumentCompleter(typeof(RegistryNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Registry { get; set; } = "";

    /// <summary><para type="description">The user name and password (or access token) for the registry. Prompted for when omitted; a user name alone prompts for the password.</para></summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Credential]
    [ValidateNotNull]
    public PSCredential Credential { get; set; } = PSCredential.Empty;

    /// <summary><para type="description">Where to keep the login: DockerConfig (default) writes it to the docker config.json; Session keeps it in memory for this PowerShell session only.</para></summary>
    [Parameter]
    public RegistryLoginScope Scope { get; set; } = RegistryLoginScope.DockerConfig;

    #endregion

    /// <summary>Checks the credential with the daemon, then stores it.</summary>
    protected override void ProcessRecord()
    {
        string registry;
        try { registry = RegistryLogins.HostOf(Registry); }
        catch (ArgumentException e) { WriteFailure(e, "InvalidRegistry", Registry); return; }
        var user = Credential.UserName?.TrimStart('\\') ?? "";
        if (user.Length == 0)
        {
            WriteFailure(new ArgumentException("The credential has no user name."), "RegistryLoginNoUserName", registry);
            return;
        }

        WriteVerbose($"Checking the login for user '{user}' with {registry}.");
        try
        {
            var password = Credential.GetNetworkCredential().Password;
            Call(async (c, ct) =>
            {
                await c.System.AuthenticateAsync(new AuthConfig { Username = user, Password = password, ServerAddress = registry }, ct);
                return true;
            });
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(Refusal(e, registry, user));
            return;
        }

        try
        {
            WriteObject(Store(registry, user));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            WriteError(new ErrorRecord(new DockException($"The login to {registry} was accepted but could not be saved: {e.Message}", e),
                "RegistryLoginNotSaved", ErrorCategory.WriteError, registry));
        }
    }

    private RegistryLogin Store(string registry, string user)
    {
        if (Scope == RegistryLoginScope.Session)
        {
            RegistryLogins.Session.Set(registry, new(user, Credential.GetNetworkCredential().Password));
            WriteVerbose($"Kept the login for {registry} in this session.");
            return new RegistryLogin(registry, user, Persisted: false, ConfigPath: null);
        }
        var file = RegistryLogins.ConfigFile;
        var path = file.Save(registry, user, Credential.GetNetworkCredential().Password);
        // A session login would win over the one just saved; the newest login is the one meant.
        RegistryLogins.Session.Remove(registry);
        WriteVerbose($"Saved the login for {registry} in {path}.");
        if (file.HelperFor(registry) is { } helper)
        {
            WriteWarning($"{file.Path} names the credential helper '{helper}': the docker CLI asks it, not the saved entry, for {registry}. DockPS and dockpsd use the saved entry.");
        }
        return new RegistryLogin(registry, user, Persisted: true, ConfigPath: path);
    }

    /// <summary>A refused login is an AuthenticationError that names the registry and user, never the password.</summary>
    private ErrorRecord Refusal(Exception error, string registry, string user)
    {
        var record = ToErrorRecord(error, "RegistryLoginFailed", registry);
        var inner = error is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerExceptions[0] : error;
        if (inner is DockerApiException { StatusCode: System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden })
        {
            return new ErrorRecord(new DockException($"{registry} refused the login for user '{user}': {record.Exception.Message}", inner),
                "RegistryLoginRefused", ErrorCategory.AuthenticationError, registry);
        }
        return record;
    }
}
