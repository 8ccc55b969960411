using System.Text;
using System.Text.Json.Nodes;
using DockPS.Engine.Runtime;

namespace DockPS.Engine.Tests.Runtime;

/// <summary>The process's streams through dockps-shim: attach, stdin, terminals, exec.</summary>
[Collection(ShimCollection.Name)]
public sealed class ShimStreamTests(ShimFixture fixture)
{
    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task AnAttachBeforeTheStartGetsEveryByteOnItsStream(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sh", "-c", "seq 1 50000; echo to-stderr >&2; seq 50001 50010"]);
        var connection = (await box.LaunchAsync(box.Options())).Connect();

        await using var attach = await connection.AttachAsync(false, true, true, box.Timeout);
        await connection.StartAsync(box.Timeout);
        var (stdout, stderr, _) = await box.ReadAllAsync(attach);

        Assert.Equal(Seq(1, 50010), stdout);
        Assert.Equal("to-stderr\n", stderr);
        Assert.Equal(0, (await connection.WaitForShimExitAsync(box.Timeout)).ExitCode);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task AnAttachAskingOnlyStderrGetsNoStdout(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sh", "-c", "echo out; echo err >&2"]);
        var connection = (await box.LaunchAsync(box.Options())).Connect();

        await using var attach = await connection.AttachAsync(false, false, true, box.Timeout);
        await connection.StartAsync(box.Timeout);

        Assert.Equal(("", "err\n", 1), await box.ReadAllAsync(attach));
        await connection.WaitForShimExitAsync(box.Timeout);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task AClientThatDoesNotReadIsDroppedWithoutHoldingUpTheProcessOrTheLog(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        const int lines = 1_000_000;
        const string text = "0123456789012345678901234567890123456789";
        box.WriteConfig(["sh", "-c", $"yes {text} | head -n {lines}"]);
        var connection = (await box.LaunchAsync(box.Options() with { LogPath = box.LogPath })).Connect();

        await using var stuck = await connection.AttachAsync(false, true, true, box.Timeout);
        await connection.StartAsync(box.Timeout);
        Assert.Equal(0, (await connection.WaitForShimExitAsync(box.Timeout)).ExitCode);

        Assert.Equal(lines, File.ReadLines(box.LogPath).Count(l => l.StartsWith($"{{\"log\":\"{text}\\n\"", StringComparison.Ordinal)));
        // What the client finally reads is what was buffered for it when it was let go: not all of it.
        long received = 0;
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await stuck.ReadAsync(buffer, box.Timeout)) > 0) { received += read; }
        Assert.InRange(received, 1, lines * (text.Length + 1L) - 1);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task StdinThroughAttachReachesCatAndStdinOnceEndsIt(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["cat"]);
        var connection = (await box.LaunchAsync(box.Options() with { Stdin = true, StdinOnce = true })).Connect();
        var input = string.Concat(Enumerable.Range(0, 4000).Select(i => $"line {i} of the input\n"));

        await using var attach = await connection.AttachAsync(true, true, true, box.Timeout);
        await connection.StartAsync(box.Timeout);
        var reading = box.ReadAllAsync(attach);
        await attach.WriteAsync(Encoding.UTF8.GetBytes(input), box.Timeout);
        attach.CloseStdin();

        Assert.Equal((input, ""), (await reading) is var (o, e, _) ? (o, e) : default);
        Assert.Equal(0, (await connection.WaitForShimExitAsync(box.Timeout)).ExitCode);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task ATerminalShowsItsNameAndFollowsResizes(string runtime)
    {
        // A state directory too long for sun_path: both sockets are reached through /proc/<pid>/cwd.
        await using var box = new ShimSandbox(fixture, runtime, stateSubdirectory: string.Join('/', Enumerable.Repeat("long-state-directory", 6)));
        Assert.True(Encoding.UTF8.GetByteCount(Path.Combine(box.State, "console.sock")) > 108);
        box.WriteConfig(["sh", "-c", "tty; stty size; read line; stty size; echo \"read $line\""], tty: true);
        // The first size is the bundle's (the runtime sets it before the process runs); later ones are requests.
        var configPath = Path.Combine(box.Bundle, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["process"]!["consoleSize"] = new JsonObject { ["height"] = 30, ["width"] = 100 };
        File.WriteAllText(configPath, config.ToJsonString());
        var connection = (await box.LaunchAsync(box.Options() with { Tty = true, Stdin = true })).Connect();

        await using var attach = await connection.AttachAsync(true, true, true, box.Timeout);
        await connection.StartAsync(box.Timeout);
        var seen = new StringBuilder();
        await box.ReadUntilAsync(attach, "30 100", seen);
        await connection.ResizeAsync(40, 120, box.Timeout);
        await attach.WriteAsync("hello\n"u8.ToArray(), box.Timeout);
        var (rest, stderr, _) = await box.ReadAllAsync(attach);
        var text = seen + rest;

        Assert.Contains("/dev/pts/0\r\n", text, StringComparison.Ordinal);
        Assert.Contains("30 100\r\n", text, StringComparison.Ordinal);
        Assert.Contains("40 120\r\n", text, StringComparison.Ordinal);
        Assert.Contains("read hello\r\n", text, StringComparison.Ordinal);
        Assert.Equal("", stderr); // a terminal has one stream: everything is stdout
        Assert.Equal(0, (await connection.WaitForShimExitAsync(box.Timeout)).ExitCode);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task AnExecRunsBesideTheContainerWithItsOwnStreamsAndExitCode(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sleep", "1000"]);
        var container = (await box.LaunchAsync(box.Options())).Connect();
        await container.StartAsync(box.Timeout);

        var process = Path.Combine(box.Dir, "exec1.json");
        File.WriteAllText(process, ShimSandbox.ProcessJson(["sh", "-c", "echo exec-out; echo exec-err >&2; exit 5"], tty: false).ToJsonString());
        var execState = Path.Combine(box.Dir, "exec1");
        var exec = await box.LaunchAsync(box.Options(execState) with { ExecProcessPath = process, LogPath = Path.Combine(box.Dir, "exec1.log") });
        Assert.Null(exec.ContainerPid);
        var connection = exec.Connect();
        await using (var attach = await connection.AttachAsync(false, true, true, box.Timeout))
        {
            Assert.True(await connection.StartAsync(box.Timeout) > 0);
            Assert.Equal(("exec-out\n", "exec-err\n"), (await box.ReadAllAsync(attach)) is var (o, e, _) ? (o, e) : default);
        }
        Assert.Equal(5, (await connection.WaitForShimExitAsync(box.Timeout)).ExitCode);
        Assert.Contains("\"log\":\"exec-out\\n\"", File.ReadAllText(Path.Combine(box.Dir, "exec1.log")), StringComparison.Ordinal);

        // An exec with a terminal: its first size comes with process.json (the runtime sets it before
        // the process runs, a resize request could only race it), later ones through the shim.
        var ttyProcess = Path.Combine(box.Dir, "exec2.json");
        var ttyJson = ShimSandbox.ProcessJson(["sh", "-c", "tty; stty size; read line; stty size"], tty: true);
        ttyJson["consoleSize"] = new JsonObject { ["height"] = 33, ["width"] = 99 };
        File.WriteAllText(ttyProcess, ttyJson.ToJsonString());
        var ttyExec = (await box.LaunchAsync(box.Options(Path.Combine(box.Dir, "exec2")) with { ExecProcessPath = ttyProcess, Tty = true, Stdin = true })).Connect();
        await using (var attach = await ttyExec.AttachAsync(true, true, true, box.Timeout))
        {
            await ttyExec.StartAsync(box.Timeout);
            var seen = new StringBuilder();
            await box.ReadUntilAsync(attach, "33 99\r\n", seen);
            await ttyExec.ResizeAsync(44, 111, box.Timeout);
            await attach.WriteAsync("\n"u8.ToArray(), box.Timeout);
            var (rest, _, _) = await box.ReadAllAsync(attach);
            Assert.Matches(@"^/dev/pts/\d+\r\n33 99\r\n\r\n44 111\r\n$", seen + rest);
        }
        Assert.Equal(0, (await ttyExec.WaitForShimExitAsync(box.Timeout)).ExitCode);

        // The container itself is untouched by its execs ending.
        Assert.True(box.RuntimeKnowsContainer());
        Assert.Contains("running", box.RunRuntime("state", box.Id).Output, StringComparison.Ordinal);
        Assert.Equal(0, box.RunRuntime("kill", box.Id, "KILL").Code);
        Assert.Equal(137, (await container.WaitForShimExitAsync(box.Timeout)).ExitCode);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task InputSentBeforeAnExecStartsReachesItsTerminal(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sleep", "1000"]);
        var container = (await box.LaunchAsync(box.Options())).Connect();
        await container.StartAsync(box.Timeout);

        var process = Path.Combine(box.Dir, "exec.json");
        File.WriteAllText(process, ShimSandbox.ProcessJson(["sh", "-c", "read line; echo \"got $line\""], tty: true).ToJsonString());
        var exec = (await box.LaunchAsync(box.Options(Path.Combine(box.Dir, "exec")) with { ExecProcessPath = process, Tty = true, Stdin = true })).Connect();
        await using (var attach = await exec.AttachAsync(true, true, true, box.Timeout))
        {
            // Typed before the pty exists: it must wait for it, not vanish.
            await attach.WriteAsync("early\n"u8.ToArray(), box.Timeout);
            await Task.Delay(100, box.Timeout);
            await exec.StartAsync(box.Timeout);
            Assert.Contains("got early\r\n", (await box.ReadAllAsync(attach)).Stdout, StringComparison.Ordinal);
        }
        Assert.Equal(0, (await exec.WaitForShimExitAsync(box.Timeout)).ExitCode);

        Assert.Equal(0, box.RunRuntime("kill", box.Id, "KILL").Code);
        await container.WaitForShimExitAsync(box.Timeout);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task AnExecThatCannotRunFailsItsStartWithTheRuntimesMessage(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sleep", "1000"]);
        var container = (await box.LaunchAsync(box.Options())).Connect();
        await container.StartAsync(box.Timeout);

        var process = Path.Combine(box.Dir, "exec.json");
        File.WriteAllText(process, ShimSandbox.ProcessJson(["no-such-exec-command"], tty: false).ToJsonString());
        var exec = (await box.LaunchAsync(box.Options(Path.Combine(box.Dir, "exec")) with { ExecProcessPath = process })).Connect();
        await using var attached = await exec.AttachAsync(false, true, true, box.Timeout);
        var failure = await Assert.ThrowsAsync<RuntimeFailedException>(() => exec.StartAsync(box.Timeout));
        Assert.Contains("no-such-exec-command", failure.Message, StringComparison.Ordinal);
        Assert.Equal(126, (await exec.WaitForShimExitAsync(box.Timeout)).ExitCode);
        // The message comes once, in the start's reply: the runtime's copy of it, written to the
        // process's stderr by its child, is not passed on as if the process had said it.
        var (stdout, stderr, _) = await box.ReadAllAsync(attached);
        Assert.Equal("", stdout);
        Assert.Equal("", stderr);

        Assert.Equal(0, box.RunRuntime("kill", box.Id, "KILL").Code);
        await container.WaitForShimExitAsync(box.Timeout);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task AnExecEndsWithItsProcessThoughABackgroundChildStillHoldsItsOutput(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sleep", "1000"]);
        var container = (await box.LaunchAsync(box.Options())).Connect();
        await container.StartAsync(box.Timeout);

        var process = Path.Combine(box.Dir, "exec.json");
        File.WriteAllText(process, ShimSandbox.ProcessJson(["sh", "-c", "(sleep 5; echo late) & echo bye"], tty: false).ToJsonString());
        var exec = (await box.LaunchAsync(box.Options(Path.Combine(box.Dir, "exec")) with { ExecProcessPath = process })).Connect();
        await using (var attach = await exec.AttachAsync(false, true, true, box.Timeout))
        {
            await exec.StartAsync(box.Timeout);
            // Had the shim waited for end of file it would have seen "late" too.
            Assert.Equal(("bye\n", ""), (await box.ReadAllAsync(attach)) is var (o, e, _) ? (o, e) : default);
        }
        Assert.Equal(0, (await exec.WaitForShimExitAsync(box.Timeout)).ExitCode);

        Assert.Equal(0, box.RunRuntime("kill", box.Id, "KILL").Code);
        await container.WaitForShimExitAsync(box.Timeout);
    }

    private static string Seq(int from, int to) => string.Concat(Enumerable.Range(from, to - from + 1).Select(i => $"{i}\n"));
}
