// The API-level bench figures' client: each loop runs in compiled code over one kept-alive
// connection, so what is timed is the daemon. Through PowerShell and a full client library every
// request costs about 2 ms more, which would be most of a create+remove.
#nullable enable
using System;
using System.Diagnostics;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

public static class ApiTimer
{
    /// <summary>create, start, wait and remove of busybox true, in milliseconds per run.</summary>
    public static double[] Run(string socketPath, int runs) => Times(socketPath, runs, http =>
    {
        var id = Create(http);
        Send(http, HttpMethod.Post, $"containers/{id}/start");
        Send(http, HttpMethod.Post, $"containers/{id}/wait");
        Send(http, HttpMethod.Delete, $"containers/{id}");
    });

    /// <summary>create and remove, in milliseconds per run.</summary>
    public static double[] CreateRemove(string socketPath, int runs) => Times(socketPath, runs, http =>
        Send(http, HttpMethod.Delete, $"containers/{Create(http)}"));

    /// <summary>The list of every container, read whole, in milliseconds per run.</summary>
    public static double[] List(string socketPath, int runs) => Times(socketPath, runs, http =>
        Send(http, HttpMethod.Get, "containers/json?all=1"));

    /// <summary>
    /// The runtime alone: `run --detach` then `delete --force` of the bundle, each as a process of
    /// its own started from compiled code (as a daemon starts it; PowerShell's `&amp;` adds about 3 ms
    /// per process). Milliseconds per run and per delete.
    /// </summary>
    public static (double[] Run, double[] Delete) Runtime(string runtimePath, string stateRoot, string bundle, int runs)
    {
        var run = new double[runs];
        var delete = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var id = $"dockps-bench-bare-{i}";
            run[i] = Exec(runtimePath, "--root", stateRoot, "run", "--detach", "--bundle", bundle, id);
            delete[i] = Exec(runtimePath, "--root", stateRoot, "delete", "--force", id);
        }
        return (run, delete);
    }

    private static double Exec(string path, params string[] args)
    {
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true };
        foreach (var arg in args) { start.ArgumentList.Add(arg); }
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var ms = watch.Elapsed.TotalMilliseconds;
        if (process.ExitCode != 0) { throw new InvalidOperationException($"{path} {string.Join(' ', args)}: exit code {process.ExitCode}"); }
        return ms;
    }

    private static double[] Times(string socketPath, int runs, Action<HttpClient> run)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost/") };
        for (var i = 0; i < 3; i++) { run(http); } // warm: connection, daemon caches
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            run(http);
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        return times;
    }

    private static string Create(HttpClient http)
    {
        var body = Send(http, HttpMethod.Post, "containers/create", """{"Image":"busybox:latest","Cmd":["true"]}""");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("Id").GetString()!;
    }

    private static string Send(HttpClient http, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) { request.Content = new StringContent(json, Encoding.UTF8, "application/json"); }
        using var response = http.Send(request);
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode) { throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}"); }
        return text;
    }
}
