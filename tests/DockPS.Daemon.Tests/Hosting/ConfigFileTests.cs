using DockPS.Daemon.Hosting;

namespace DockPS.Daemon.Tests.Hosting;

public class ConfigFileTests
{
    private static DaemonOptions WithFile(string dir, string json)
    {
        var path = Path.Combine(dir, "daemon.json");
        File.WriteAllText(path, json);
        return new DaemonOptions { ConfigFile = path };
    }

    [Fact]
    public void FileSettingsApplyButFlagsWin()
    {
        var dir = TestDaemon.NewDir();
        try
        {
            var options = WithFile(dir, """{"labels":["a=1"],"debug":true,"data-root":"/srv/dockps","insecure-registries":["myregistry:5000"]}""") with { DataRoot = "/flag/root" };
            var merged = ConfigFile.Apply(options, new HashSet<string> { "data-root" });
            Assert.Equal(["myregistry:5000"], merged.InsecureRegistries);
            Assert.Equal(["a=1"], merged.Labels);
            Assert.True(merged.Debug);
            Assert.Equal("/flag/root", merged.DataRoot);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("{not json", "is not valid JSON")]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("""{"colour":"blue"}""", "unknown setting \"colour\"")]
    [InlineData("""{"debug":"yes"}""", "bad value for \"debug\"")]
    [InlineData("""{"hosts":["tcp://10.0.0.1:2375"]}""", "bad value for \"hosts\"")]
    public void BadFilesAreNamedInTheError(string json, string message)
    {
        var dir = TestDaemon.NewDir();
        try
        {
            var e = Assert.ThrowsAny<Exception>(() => ConfigFile.Apply(WithFile(dir, json), new HashSet<string>()));
            Assert.Contains(message, e.Message);
            Assert.Contains("daemon.json", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
