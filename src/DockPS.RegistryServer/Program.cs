using DockPS.Registry.Server;
using DockPS.RegistryServer;
using DockPS.RegistryServer.Hosting;

// dockps-registry: parse the command line, serve or collect. One-line errors, exit 1.
try
{
    var version = typeof(CommandLine).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    switch (CommandLine.Parse(args, version))
    {
        case Command.Print print:
            Console.Out.WriteLine(print.Text);
            return 0;
        case Command.Collect gc:
            var result = new GarbageCollector(new RegistryStorage(gc.Root)).Collect(gc.Grace, gc.UploadGrace, gc.Verbose ? Console.Out : null);
            Console.Out.WriteLine($"kept {result.BlobsKept} blobs, deleted {result.BlobsDeleted} ({result.BytesFreed} bytes), " +
                                  $"removed {result.LinksRemoved} dangling links and {result.UploadsPurged} stale uploads");
            return 0;
        case Command.SetPassword set:
            // From stdin, never the command line, where other users' ps would show it.
            var password = Console.In.ReadLine();
            if (string.IsNullOrEmpty(password)) { throw new ArgumentException("no password on stdin"); }
            DockPS.Registry.Server.Auth.HtpasswdFile.SetUser(set.File, set.User, password);
            return 0;
        case Command.Serve serve:
            await using (var app = RegistryHost.Build(serve.Options))
            {
                await app.StartAsync();
                // One line a starter can wait for; with port 0 it names the port chosen.
                // The address comes last: starters take the line's last word.
                var auth = serve.Options.Htpasswd is { } users ? $"users from {users}" : "no authentication";
                Console.Error.WriteLine($"dockps-registry: serving {serve.Options.Root} ({auth}) on {RegistryHost.BoundAddress(app)}");
                await app.WaitForShutdownAsync();
            }
            return 0;
        default:
            return 2;
    }
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"dockps-registry: error: {e.Message}");
    return 1;
}
