using DockPS.Registry.Client;

namespace DockPS.Registry.Tests;

public class ImageReferenceTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    // input, registry, repository, tag, digest
    [InlineData("busybox", null, "busybox", null, null)]
    [InlineData("busybox:1.36", null, "busybox", "1.36", null)]
    [InlineData("library/busybox", null, "library/busybox", null, null)]
    [InlineData("team/sub/app:v1.2_3-rc", null, "team/sub/app", "v1.2_3-rc", null)]
    [InlineData("myhost/app", null, "myhost/app", null, null)] // no '.', no ':', not localhost: a path
    [InlineData("localhost/app", "localhost", "app", null, null)]
    [InlineData("localhost:5000/app:dev", "localhost:5000", "app", "dev", null)]
    [InlineData("localhost:5000", null, "localhost", "5000", null)] // no slash: name and tag, as Docker reads it
    [InlineData("127.0.0.1:5000/a/b", "127.0.0.1:5000", "a/b", null, null)]
    [InlineData("registry.example.test/app", "registry.example.test", "app", null, null)]
    [InlineData("Example.Test/app", "Example.Test", "app", null, null)]
    [InlineData("MyHost/app", "MyHost", "app", null, null)] // upper case: only a host may have it
    [InlineData("[::1]:5000/app", "[::1]:5000", "app", null, null)]
    [InlineData("a-b__c/x--y.z", null, "a-b__c/x--y.z", null, null)]
    [InlineData("app@" + Digest, null, "app", null, Digest)]
    [InlineData("host.test:443/app:v1@" + Digest, "host.test:443", "app", "v1", Digest)]
    public void ParsesDockerGrammar(string input, string? registry, string repository, string? tag, string? digest)
    {
        var reference = ImageReference.Parse(input);
        Assert.Equal(registry, reference.Registry);
        Assert.Equal(repository, reference.Repository);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(digest, reference.Digest);
        Assert.Equal(input, reference.ToString());
        Assert.Equal(reference, ImageReference.Parse(reference.ToString()));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("App", "lower-case")]
    [InlineData("host.test/App", "lower-case")]
    [InlineData("app:", "tag")]
    [InlineData("app:-x", "tag")]
    [InlineData("app:a/b", "registry host")] // a ':' before the '/' makes the first part a host, and "a" is no port
    [InlineData("app@sha256:abc", "digest")]
    [InlineData("app@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "digest")]
    [InlineData("app@md5:0123456789abcdef0123456789abcdef", "digest")]
    [InlineData("a//b", "repository")]
    [InlineData("a/-b", "repository")]
    [InlineData("a_/b", "repository")]
    [InlineData("a___b", "repository")]
    [InlineData("-host.test/app", "registry host")]
    [InlineData("a.b_c/app", "registry host")] // a '.' makes it a host, and '_' is no host character
    [InlineData("host.test:port/app", "registry host")]
    [InlineData("app\n", "repository")]
    public void RejectsWhatDockerRejects(string input, string reason)
    {
        var e = Assert.Throws<InvalidImageReferenceException>(() => ImageReference.Parse(input));
        Assert.Contains(reason, e.Message);
        Assert.Equal(input, e.Reference);
        Assert.False(ImageReference.TryParse(input, out _, out _));
    }

    [Fact]
    public void RejectsOverlongNames()
    {
        Assert.False(ImageReference.TryParse(new string('a', 256), out _, out var error));
        Assert.Contains("255", error);
        Assert.True(ImageReference.TryParse(new string('a', 255), out _, out _));
        Assert.True(ImageReference.TryParse("app:" + new string('t', 128), out _, out _));
        Assert.False(ImageReference.TryParse("app:" + new string('t', 129), out _, out _));
    }

    [Fact]
    public void HasNoDefaultRegistryTheCallerChooses()
    {
        var reference = ImageReference.Parse("team/app");
        Assert.Null(reference.Registry);
        Assert.Equal("team/app", reference.Name);
        Assert.Equal("latest", reference.ManifestReference);

        var placed = reference.WithRegistry("127.0.0.1:5000");
        Assert.Equal("127.0.0.1:5000/team/app", placed.ToString());
        Assert.Equal("v2", placed.WithTag("v2").ManifestReference);
        Assert.Equal(Digest, placed.WithTag("v2").WithDigest(Digest).ManifestReference);
        Assert.Throws<ArgumentException>(() => reference.WithRegistry("not a host"));
    }
}
