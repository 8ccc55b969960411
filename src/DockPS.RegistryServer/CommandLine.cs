using System.Globalization;
using System.Net;
using DockPS.RegistryServer.Hosting;

namespace DockPS.RegistryServer;

/// <summary>A parsed command line: serve, collect garbage, or print text.</summary>
internal abstract record Command
{
    public sealed record Serve(RegistryHostOptions Options) : Command;
    public sealed record Collect(string Root, TimeSpan Grace, TimeSpan UploadGrace, bool Verbose) : Command;
    public sealed record Print(string Text) : Command;
    public sealed record SetPassword(string File, string User) : Command;
}

/// <summary>
/// <c>dockps-registry serve [--listen 127.0.0.1:5000] --root DIR</c> and
/// <c>dockps-registry gc --root DIR [--grace 1h] [--upload-grace 24h] [--verbose]</c> and
/// <c>dockps-registry htpasswd --file FILE --user NAME</c>.
/// </summary>
internal static class CommandLine
{
    public const string Usage = """
        usage: dockps-registry serve --root DIR [--listen ADDRESS:PORT] [--htpasswd FILE [--access FILE]]
                                     [--tls-cert FILE --tls-key FILE]
               dockps-registry gc --root DIR [--grace DURATION] [--upload-grace DURATION] [--verbose]
               dockps-registry htpasswd --file FILE --user NAME     (reads the password from stdin)
               dockps-registry --version

        serve   an OCI distribution registry storing under DIR. --listen defaults to
                127.0.0.1:5000; plain HTTP is allowed on loopback addresses only, any address
                with --tls-cert and --tls-key (PEM). --htpasswd turns on authentication: users
                and bcrypt hashes as htpasswd -B writes them; clients get a Bearer challenge and
                tokens from /auth/token, or send Basic credentials. --access limits users to
                repositories, one rule a line: USER REPOSITORY-PATTERN pull|push|delete
                (USER * is every user, * in a pattern any characters); without it every user
                may pull, push and delete everything.
        htpasswd  adds or replaces a user in an htpasswd file with a bcrypt hash.
        gc      deletes blobs no manifest references and that were not touched for the grace
                period (default 1h: a push in progress has uploaded blobs before its manifest),
                and upload sessions unused for the upload grace (default 24h). Safe while serving.
        DURATION is a number with s, m, h or d (90s, 30m, 1h, 2d).
        """;

    public static Command Parse(string[] args, string version)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help") { return new Command.Print(Usage); }
        if (args[0] is "-v" or "--version") { return new Command.Print("dockps-registry " + version); }
        var verb = args[0];
        if (verb is not ("serve" or "gc" or "htpasswd")) { throw new ArgumentException($"unknown command '{verb}'\n{Usage}"); }

        string? root = null, listen = null, grace = null, uploadGrace = null;
        string? htpasswd = null, access = null, tlsCert = null, tlsKey = null, file = null, user = null;
        var verbose = false;
        for (var i = 1; i < args.Length; i++)
        {
            var (flag, inline) = args[i].IndexOf('=') is var eq and > 0 ? (args[i][..eq], args[i][(eq + 1)..]) : (args[i], null);
            string Value() => inline ?? (++i < args.Length ? args[i] : throw new ArgumentException($"{flag} needs a value"));
            switch (flag)
            {
                case "--root": root = Value(); break;
                case "--listen" when verb == "serve": listen = Value(); break;
                case "--grace" when verb == "gc": grace = Value(); break;
                case "--upload-grace" when verb == "gc": uploadGrace = Value(); break;
                case "--verbose" when verb == "gc": verbose = true; break;
                case "--htpasswd" when verb == "serve": htpasswd = ExistingFile(flag, Value()); break;
                case "--access" when verb == "serve": access = ExistingFile(flag, Value()); break;
                case "--tls-cert" when verb == "serve": tlsCert = ExistingFile(flag, Value()); break;
                case "--tls-key" when verb == "serve": tlsKey = ExistingFile(flag, Value()); break;
                case "--file" when verb == "htpasswd": file = Value(); break;
                case "--user" when verb == "htpasswd": user = Value(); break;
                case "-h" or "--help": return new Command.Print(Usage);
                default: throw new ArgumentException($"unknown flag '{args[i]}' for {verb}\n{Usage}");
            }
        }
        if (verb == "htpasswd")
        {
            if (string.IsNullOrEmpty(file) || string.IsNullOrEmpty(user)) { throw new ArgumentException("htpasswd needs --file FILE and --user NAME"); }
            return new Command.SetPassword(Path.GetFullPath(file), user);
        }
        if (string.IsNullOrEmpty(root)) { throw new ArgumentException("--root DIR is required"); }
        root = Path.GetFullPath(root);
        if ((tlsCert is null) != (tlsKey is null)) { throw new ArgumentException("--tls-cert and --tls-key go together"); }
        if (access is not null && htpasswd is null) { throw new ArgumentException("--access needs --htpasswd (the users it names)"); }
        return verb == "serve"
            ? new Command.Serve(new RegistryHostOptions(ParseEndpoint(listen ?? "127.0.0.1:5000"), root, htpasswd, access, tlsCert, tlsKey))
            : new Command.Collect(root, ParseDuration(grace ?? "1h"), ParseDuration(uploadGrace ?? "24h"), verbose);
    }

    private static string ExistingFile(string flag, string path) =>
        File.Exists(path) ? Path.GetFullPath(path) : throw new ArgumentException($"{flag} {path}: no such file");

    /// <summary><c>host:port</c> where host is an IP address or <c>localhost</c>.</summary>
    internal static IPEndPoint ParseEndpoint(string text)
    {
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)) { text = "127.0.0.1" + text[9..]; }
        if (!IPEndPoint.TryParse(text, out var endpoint) || !text.Contains(':') || text.EndsWith(']'))
        {
            throw new ArgumentException($"--listen '{text}' is not ADDRESS:PORT (for example 127.0.0.1:5000)");
        }
        return endpoint;
    }

    internal static TimeSpan ParseDuration(string text)
    {
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0)
        {
            switch (text[^1])
            {
                case 's': return TimeSpan.FromSeconds(value);
                case 'm': return TimeSpan.FromMinutes(value);
                case 'h': return TimeSpan.FromHours(value);
                case 'd': return TimeSpan.FromDays(value);
            }
        }
        throw new ArgumentException($"'{text}' is not a duration (90s, 30m, 1h, 2d)");
    }
}
