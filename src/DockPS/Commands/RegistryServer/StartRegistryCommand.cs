using System.Management.Automation;
using System.Net;
using DockPS.Client;
using DockPS.Registry.Server;
using DockPS.Registry.Server.Auth;
using DockPS.Types;

namespace DockPS.Commands.RegistryServer;

/// <summary>
/// <para type="synopsis">Starts the bundled registry (dockps-registry) as a background process.</para>
/// <para type="description">Starts the OCI distribution registry that ships in the module folder, storing images under -Path, listening on -ListenAddress (default 127.0.0.1) and -Port (default 5000). It runs in its own session and keeps running after PowerShell exits; Get-Registry lists it and Stop-Registry stops it. Start-Registry waits until the registry accepts connections and returns a DockRegistryServer object with its address and PID. With -Credential the registry requires that user and password: the password is stored as a bcrypt hash in auth/htpasswd under -Path (replacing any users there). With -HtpasswdPath it uses an existing htpasswd file of bcrypt hashes. Docker clients log in through the registry's token endpoint. -AccessPath limits users to repositories. Plain HTTP is only allowed on loopback addresses; to listen on another address give -CertificatePath and -KeyPath (PEM). The registry's log is dockps-registry.log under -Path.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "Registry", SupportsShouldProcess = true, DefaultParameterSetName = OpenSet)]
[OutputType(typeof(DockRegistryServer))]
public sealed class StartRegistryCommand : RegistryServerCmdlet
{
    private const string OpenSet = "Open";
    private const string CredentialSet = "Credential";
    private const string HtpasswdSet = "Htpasswd";

    #region Parameters

    /// <summary><para type="description">The folder the registry stores under; created when missing.</para></summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary><para type="description">The TCP port to listen on.</para></summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 5000;

    /// <summary><para type="description">The IP address to listen on (default 127.0.0.1). Addresses other than loopback need -CertificatePath and -KeyPath.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary><para type="description">The one user allowed to use the registry; the password is stored as a bcrypt hash in auth/htpasswd under -Path.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Credential]
    [ValidateNotNull]
    public PSCredential Credential { get; set; } = PSCredential.Empty;

    /// <summary><para type="description">An htpasswd file of bcrypt hashes (htpasswd -B, or dockps-registry htpasswd) naming the users allowed to use the registry. It is re-read when it changes.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = HtpasswdSet)]
    [ValidateNotNullOrEmpty]
    public string? HtpasswdPath { get; set; }

    /// <summary><para type="description">An access list: lines of 'user repository-pattern pull|push|delete' (user * is every user, * in a pattern matches any characters). Without it every user may do everything.</para></summary>
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = HtpasswdSet)]
    [ValidateNotNullOrEmpty]
    public string? AccessPath { get; set; }

    /// <summary><para type="description">A PEM certificate (chain) for HTTPS; needs -KeyPath.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    /// <summary><para type="description">The certificate's PEM private key.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyPath { get; set; }

    /// <summary><para type="description">How long to wait for the registry to accept connections, in seconds.</para></summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    #endregion

    /// <summary>Checks the arguments, starts the registry and writes its object.</summary>
    protected override void EndProcessing()
    {
        var root = GetUnresolvedProviderPathFromPSPath(Path);
        if (File.Exists(root)) { Fail($"-Path {root} is a file; give a folder for the registry's storage.", "RegistryPathInvalid", ErrorCategory.InvalidArgument, Path); }
        if (!IPAddress.TryParse(ListenAddress == "localhost" ? "127.0.0.1" : ListenAddress, out var listen))
        {
            Fail($"-ListenAddress '{ListenAddress}' is not an IP address.", "RegistryListenAddressInvalid", ErrorCategory.InvalidArgument, ListenAddress);
        }
        if ((CertificatePath is null) != (KeyPath is null))
        {
            Fail("-CertificatePath and -KeyPath go together: give both for HTTPS, or neither.", "RegistryTlsIncomplete", ErrorCategory.InvalidArgument, CertificatePath ?? KeyPath);
        }
        try { ListenPolicy.Check(listen!, CertificatePath is not null); }
        catch (ArgumentException e) { Fail(e.Message, "RegistryListenNotAllowed", ErrorCategory.InvalidArgument, ListenAddress, e); }
        var htpasswd = ExistingFile(HtpasswdPath, "HtpasswdPath");
        var access = ExistingFile(AccessPath, "AccessPath");
        var certificate = ExistingFile(CertificatePath, "CertificatePath");
        var key = ExistingFile(KeyPath, "KeyPath");
        if (!File.Exists(RegistryServerProcess.ExecutablePath))
        {
            Fail($"The registry executable is missing from the module folder: {RegistryServerProcess.ExecutablePath}", "RegistryExecutableMissing", ErrorCategory.ObjectNotFound, RegistryServerProcess.ExecutablePath);
        }
        if (!RegistryServerProcess.PortIsFree(listen!, Port))
        {
            Fail($"Port {Port} on {listen} is in use; choose another -Port or stop what listens there (Get-Registry lists registries).", "RegistryPortInUse", ErrorCategory.ResourceUnavailable, Port);
        }
        if (!ShouldProcess($"dockps-registry on {listen}:{Port} storing under {root}", "Start")) { return; }
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail($"Cannot create the registry folder {root}: {e.Message}", "RegistryPathInvalid", ErrorCategory.InvalidArgument, Path, e);
        }
        if (ParameterSetName == CredentialSet)
        {
            htpasswd = System.IO.Path.Combine(root, "auth", "htpasswd");
            try { HtpasswdFile.SetUser(htpasswd, Credential.UserName, Credential.GetNetworkCredential().Password, replace: true); }
            catch (ArgumentException e) { Fail(e.Message, "RegistryUserNameInvalid", ErrorCategory.InvalidArgument, Credential.UserName, e); }
        }
        try
        {
            var server = RegistryServerProcess.Start(new RegistryServerStart(listen!, Port, root, htpasswd, access, certificate, key,
                TimeSpan.FromSeconds(TimeoutSeconds)), Cancellation);
            WriteVerbose($"dockps-registry started (pid {server.Pid}) at {server.Url}; log {server.LogPath}.");
            WriteObject(server);
        }
        catch (RegistryStartException e)
        {
            Fail(e.Message, "RegistryStartFailed", ErrorCategory.OpenError, Port, e);
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
    }

    private string? ExistingFile(string? path, string parameter)
    {
        if (path is null) { return null; }
        var full = GetUnresolvedProviderPathFromPSPath(path);
        if (!File.Exists(full)) { Fail($"-{parameter} {full}: no such file.", "RegistryFileNotFound", ErrorCategory.InvalidArgument, path); }
        return full;
    }
}
