namespace DockPS.Daemon.Hosting;

/// <summary>What the command line asked for: run the daemon, or just print something.</summary>
public abstract record CommandLineResult
{
    /// <summary>Run with these options; <paramref name="Explicit"/> names (as config-file keys) the settings given as flags.</summary>
    public sealed record Run(DaemonOptions Options, IReadOnlySet<string> Explicit) : CommandLineResult;

    /// <summary>Print this text to stdout and exit 0 (--help, --version).</summary>
    public sealed record Print(string Text) : CommandLineResult;
}

/// <summary>
/// Parses dockerd's flags (the subset dockpsd honours): <c>-H/--host</c> (repeatable),
/// <c>--data-root</c>, <c>--exec-root</c>, <c>-p/--pidfile</c>, <c>--config-file</c>,
/// <c>-D/--debug</c>, <c>-l/--log-level</c>, <c>--label</c> (repeatable), <c>-v/--version</c>, <c>-h/--help</c>.
/// Both <c>--flag value</c> and <c>--flag=value</c> work, as in dockerd.
/// </summary>
public static class CommandLine
{
    /// <summary>The usage text.</summary>
    public const string Usage = """
        Usage:  dockpsd [OPTIONS]

        A container engine speaking the Docker Engine API.

        Options:
          -H, --host list          Daemon socket(s) to listen on: unix:///path or tcp://127.0.0.1:PORT
                                   (default unix:///run/dockps/dockps.sock)
              --data-root string   Root of persistent state (default "/var/lib/dockps")
              --exec-root string   Root of runtime state (default "/run/dockps")
          -p, --pidfile string     Path to use for the daemon PID file (default "<exec-root>/dockpsd.pid")
              --config-file string Daemon configuration file (default "/etc/dockps/daemon.json")
          -D, --debug              Enable debug mode
          -l, --log-level string   Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
              --label list         Set key=value labels on the daemon
              --insecure-registry list  Registries (host[:port] or CIDR) to reach over plain HTTP
              --default-runtime string  OCI runtime for containers (default: crun when it can run, else runc)
              --add-runtime name=path   Register an OCI runtime (repeatable)
          -v, --version            Print version information and quit
          -h, --help               Print usage
        """;

    private static readonly string[] LogLevels = ["debug", "info", "warn", "error", "fatal"];

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <exception cref="ArgumentException">An unknown flag or a missing or bad value; the message says which.</exception>
    public static CommandLineResult Parse(IReadOnlyList<string> args, string version)
    {
        var options = new DaemonOptions();
        var hosts = new List<string>();
        var labels = new List<string>();
        var insecure = new List<string>();
        var runtimes = new Dictionary<string, string>(StringComparer.Ordinal);
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0) { (arg, inline) = (arg[..eq], arg[(eq + 1)..]); }

            string Value()
            {
                if (inline is not null) { return inline; }
                if (i + 1 >= args.Count) { throw new ArgumentException($"flag needs an argument: {arg}"); }
                return args[++i];
            }

            given.Add(arg switch
            {
                "-H" or "--host" => "hosts",
                "-p" or "--pidfile" => "pidfile",
                "-D" or "--debug" => "debug",
                "-l" or "--log-level" => "log-level",
                "--label" => "labels",
                "--insecure-registry" => "insecure-registries",
                "--add-runtime" => "runtimes",
                _ => arg.TrimStart('-'),
            });
            switch (arg)
            {
                case "-H" or "--host": hosts.Add(Value()); break;
                case "--data-root": options = options with { DataRoot = AbsolutePath(arg, Value()) }; break;
                case "--exec-root": options = options with { ExecRoot = AbsolutePath(arg, Value()) }; break;
                case "-p" or "--pidfile": options = options with { PidFile = AbsolutePath(arg, Value()) }; break;
                case "--config-file": options = options with { ConfigFile = AbsolutePath(arg, Value()) }; break;
                case "-D" or "--debug": options = options with { Debug = inline is null || bool.Parse(inline) }; break;
                case "-l" or "--log-level":
                    var level = Value();
                    if (!LogLevels.Contains(level)) { throw new ArgumentException($"invalid log level \"{level}\": use one of {string.Join(", ", LogLevels)}"); }
                    options = options with { LogLevel = level };
                    break;
                case "--label":
                    var label = Value();
                    if (!label.Contains('=')) { throw new ArgumentException($"bad label \"{label}\": labels are key=value"); }
                    labels.Add(label);
                    break;
                case "--insecure-registry": insecure.Add(Value()); break;
                case "--default-runtime": options = options with { DefaultRuntime = Value() }; break;
                case "--add-runtime":
                    var runtime = Value();
                    var at = runtime.IndexOf('=');
                    if (at <= 0 || at == runtime.Length - 1) { throw new ArgumentException($"bad runtime \"{runtime}\": use name=path"); }
                    runtimes[runtime[..at]] = AbsolutePath(arg, runtime[(at + 1)..]);
                    break;
                case "-v" or "--version": return new CommandLineResult.Print($"DockPS dockpsd version {version}");
                case "-h" or "--help": return new CommandLineResult.Print(Usage);
                default: throw new ArgumentException($"unknown flag: {arg}\nSee 'dockpsd --help'.");
            }
        }
        foreach (var host in hosts) { ListenAddress.Parse(host); }
        return new CommandLineResult.Run(options with
        {
            Hosts = hosts.Count > 0 ? hosts : options.Hosts,
            Labels = labels,
            InsecureRegistries = insecure,
            Runtimes = runtimes,
        }, given);
    }

    private static string AbsolutePath(string flag, string value)
    {
        if (value.Length == 0) { throw new ArgumentException($"{flag} needs a path"); }
        return Path.GetFullPath(value);
    }
}
