using DockPS.Daemon;
using DockPS.Daemon.Hosting;

// dockpsd: parse dockerd-style flags, merge the config file, serve. One-line errors, exit 1.
try
{
    switch (CommandLine.Parse(args, DaemonInfo.Version))
    {
        case CommandLineResult.Print print:
            Console.Out.WriteLine(print.Text);
            return 0;
        case CommandLineResult.Run run:
            var options = ConfigFile.Apply(run.Options, run.Explicit);
            return await DaemonHost.RunAsync(options, run.Explicit, Console.Error);
        default:
            return 2;
    }
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException
                              or UnauthorizedAccessException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"dockpsd: error: {e.Message}");
    return 1;
}
