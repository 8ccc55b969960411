using DockPS.Engine.Images;

namespace DockPS.Engine.Tests.Images;

public class ConfigChangesTests
{
    private static ContainerDefaults Apply(params string[] changes) => ConfigChanges.Apply(new ContainerDefaults(), changes);

    [Fact]
    public void ExecAndShellForms()
    {
        Assert.Equal(["sh", "-c", "echo"], Apply("""CMD ["sh","-c","echo"]""").Cmd);
        Assert.Equal(["/bin/sh", "-c", "echo hi"], Apply("CMD echo hi").Cmd);
        Assert.Equal(["/entry"], Apply("""ENTRYPOINT ["/entry"]""").Entrypoint);
    }

    [Fact]
    public void EnvAndLabelsMergeAndOverride()
    {
        var d = Apply("ENV A=1 B=\"two words\"", "ENV A 3", "LABEL x=1", "LABEL x=2 y=3");
        Assert.Equal(["B=two words", "A=3"], d.Env);
        Assert.Equal("2", d.Labels!["x"]);
        Assert.Equal("3", d.Labels["y"]);
    }

    [Fact]
    public void PortsVolumesUserWorkdirStopSignal()
    {
        var d = Apply("EXPOSE 80 53/udp", "VOLUME /data /logs", "VOLUME [\"/cache\"]", "USER 1000:1000", "WORKDIR /app", "WORKDIR sub", "STOPSIGNAL SIGINT");
        Assert.Equal(["53/udp", "80/tcp"], d.ExposedPorts!.Keys.Order());
        Assert.Equal(["/cache", "/data", "/logs"], d.Volumes!.Keys.Order());
        Assert.Equal("1000:1000", d.User);
        Assert.Equal("/app/sub", d.WorkingDir);
        Assert.Equal("SIGINT", d.StopSignal);
    }

    [Theory]
    [InlineData("RUN echo", "RUN is not an instruction")]
    [InlineData("CMD", "CMD needs arguments")]
    [InlineData("EXPOSE eighty", "\"eighty\" is not a port")]
    [InlineData("LABEL novalue", "expected key=value")]
    public void BadChangesAreNamed(string change, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Apply(change));
        Assert.Contains(message, e.Message);
    }
}
