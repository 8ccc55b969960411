using DockPS.Engine.Containers;
using DockPS.Engine.Images;

namespace DockPS.Engine.Tests.Containers;

/// <summary>Docker's rules for a container's process: command, environment, user, signals, names.</summary>
public sealed class ProcessRulesTests
{
    private static readonly ContainerDefaults Image = new()
    {
        Entrypoint = ["/entry"],
        Cmd = ["default-arg"],
        Env = ["PATH=/bin", "A=image"],
        WorkingDir = "/app",
        Labels = new Dictionary<string, string> { ["from"] = "image", ["keep"] = "1" },
    };

    private static ContainerConfig Config(IReadOnlyList<string>? entrypoint = null, IReadOnlyList<string>? cmd = null) =>
        new() { Image = "x", Entrypoint = entrypoint, Cmd = cmd };

    [Fact]
    public void ImageEntrypointAndCommandAreUsedWhenNoneIsGiven() =>
        Assert.Equal(["/entry", "default-arg"], ProcessDefaults.Command(Config(), Image));

    [Fact]
    public void AGivenCommandReplacesTheImageCommandOnly() =>
        Assert.Equal(["/entry", "mine"], ProcessDefaults.Command(Config(cmd: ["mine"]), Image));

    [Fact]
    public void AGivenEntrypointDropsTheImageCommand() =>
        Assert.Equal(["/other"], ProcessDefaults.Command(Config(entrypoint: ["/other"]), Image));

    [Fact]
    public void AnEmptyEntrypointClearsTheImageOne() =>
        Assert.Equal(["echo", "hi"], ProcessDefaults.Command(Config(entrypoint: [""], cmd: ["echo", "hi"]), Image));

    [Fact]
    public void NoCommandAtAllIsRefused() =>
        Assert.Throws<ArgumentException>(() => ProcessDefaults.Command(Config(), new ContainerDefaults()));

    [Fact]
    public void EnvironmentIsMergedKeyByKey()
    {
        var env = ProcessDefaults.Env(new ContainerConfig { Image = "x", Env = ["A=mine", "B=2"] }, Image);
        Assert.Equal(["PATH=/bin", "A=mine", "B=2"], env);
    }

    [Fact]
    public void APathIsAddedWhenNobodySetsOne() =>
        Assert.Equal(ProcessDefaults.DefaultPath, ProcessDefaults.Env(Config(), new ContainerDefaults())[0]);

    [Fact]
    public void WorkingDirectoryMustBeAbsolute()
    {
        Assert.Equal("/app", ProcessDefaults.WorkingDir(Config(), Image));
        Assert.Equal("/", ProcessDefaults.WorkingDir(Config(), new ContainerDefaults()));
        Assert.Throws<ArgumentException>(() => ProcessDefaults.WorkingDir(new ContainerConfig { Image = "x", WorkingDir = "rel" }, Image));
    }

    [Fact]
    public void LabelsOfTheContainerWin()
    {
        var labels = ProcessDefaults.Labels(new ContainerConfig { Image = "x", Labels = new Dictionary<string, string> { ["from"] = "me" } }, Image);
        Assert.Equal("me", labels["from"]);
        Assert.Equal("1", labels["keep"]);
    }

    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("term", 15)]
    [InlineData("9", 9)]
    [InlineData("SIGRTMIN+3", 37)]
    [InlineData("RTMAX-1", 63)]
    public void SignalsParseByNameAndNumber(string text, int number) => Assert.Equal(number, Signals.Parse(text));

    [Theory]
    [InlineData("SIGNOPE")]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("RTMIN-1")]
    public void BadSignalsAreRefused(string text) => Assert.Throws<ArgumentException>(() => Signals.Parse(text));

    [Theory]
    [InlineData("web", "web")]
    [InlineData("/web-1.x_y", "web-1.x_y")]
    public void ValidNamesLoseTheirSlash(string given, string stored) => Assert.Equal(stored, ContainerNames.Validate(given));

    [Theory]
    [InlineData("a")]
    [InlineData("bad/name")]
    [InlineData("-dash")]
    [InlineData("sp ace")]
    public void InvalidNamesAreRefused(string name) => Assert.Throws<ArgumentException>(() => ContainerNames.Validate(name));

    [Fact]
    public void GeneratedNamesAvoidTakenOnes()
    {
        var taken = new HashSet<string>();
        for (var i = 0; i < 200; i++) { Assert.True(taken.Add(ContainerNames.Generate(taken.Contains))); }
    }

    [Theory]
    [InlineData("10m", 10L * 1024 * 1024)]
    [InlineData("512k", 512L * 1024)]
    [InlineData("1g", 1024L * 1024 * 1024)]
    [InlineData("4096", 4096L)]
    public void LogSizesUseBinaryUnits(string text, long bytes) =>
        Assert.Equal(bytes, LogOptions.MaxSize(new LogSettings("json-file", new Dictionary<string, string> { ["max-size"] = text })));

    [Fact]
    public void UnknownLogDriversAndOptionsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => LogOptions.Validate(new LogSettings("syslog", new Dictionary<string, string>())));
        Assert.Throws<ArgumentException>(() => LogOptions.Validate(new LogSettings("json-file", new Dictionary<string, string> { ["max-size"] = "ten" })));
        Assert.Throws<ArgumentException>(() => LogOptions.Validate(new LogSettings("json-file", new Dictionary<string, string> { ["max-file"] = "3" })));
        Assert.Throws<ArgumentException>(() => LogOptions.Validate(new LogSettings("json-file", new Dictionary<string, string> { ["nope"] = "1" })));
    }
}
