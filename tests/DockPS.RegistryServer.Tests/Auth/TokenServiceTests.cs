using DockPS.Registry.Server.Auth;

namespace DockPS.RegistryServer.Tests.Auth;

/// <summary>Tokens lapse, name their audience, and need the key they were signed with; htpasswd files from htpasswd -B work.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TokenServiceTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void A_token_is_valid_for_its_lifetime_only()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var tokens = new TokenService(Key, "svc", TimeSpan.FromMinutes(5), clock);
        var (token, _) = tokens.Issue("alice", [new AccessScope("repository", "a/b", ["pull"])]);
        var claims = tokens.Validate(token);
        Assert.NotNull(claims);
        Assert.Equal("alice", claims.Subject);
        Assert.True(claims.Access.Single().Covers("repository", "a/b", "pull"));
        clock.Now += TimeSpan.FromMinutes(6);
        Assert.Null(tokens.Validate(token));
    }

    [Fact]
    public void A_token_of_another_key_or_service_is_refused()
    {
        var (token, _) = new TokenService(Key, "svc").Issue("alice", []);
        Assert.Null(new TokenService(Key, "other").Validate(token));
        Assert.Null(new TokenService(Key.Reverse().ToArray(), "svc").Validate(token));
        Assert.Null(new TokenService(Key, "svc").Validate("not.a.token"));
        Assert.NotNull(new TokenService(Key, "svc").Validate(token));
    }

    [Fact]
    public void The_key_is_made_once_and_readable_by_its_owner_only()
    {
        var folder = Directory.CreateTempSubdirectory("dockps-token-key-").FullName;
        try
        {
            var path = Path.Combine(folder, "auth", "token.key");
            var first = TokenService.LoadOrCreateKey(path);
            Assert.Equal(first, TokenService.LoadOrCreateKey(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public async Task Hashes_written_by_apache_htpasswd_verify_and_ours_are_bcrypt()
    {
        var folder = Directory.CreateTempSubdirectory("dockps-htpasswd-").FullName;
        try
        {
            var path = Path.Combine(folder, "htpasswd");
            var info = new System.Diagnostics.ProcessStartInfo("htpasswd", ["-B", "-i", "-c", path, "carol"]) { RedirectStandardInput = true };
            using (var process = System.Diagnostics.Process.Start(info)!)
            {
                await process.StandardInput.WriteLineAsync("c4rol's secret");
                process.StandardInput.Close();
                await process.WaitForExitAsync();
                Assert.Equal(0, process.ExitCode);
            }
            HtpasswdFile.SetUser(path, "dave", "d4ve");
            var users = new HtpasswdFile(path);
            Assert.True(users.Verify("carol", "c4rol's secret"));
            Assert.True(users.Verify("dave", "d4ve"));
            Assert.False(users.Verify("carol", "d4ve"));
            Assert.False(users.Verify("erin", "d4ve"));
            Assert.Matches(@"^dave:\$2y\$10\$", File.ReadAllLines(path)[1]);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

            // A user added while the file is in use is seen (the registry serves on).
            await Task.Delay(1100);
            HtpasswdFile.SetUser(path, "erin", "3rin");
            Assert.True(users.Verify("erin", "3rin"));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void A_line_without_a_bcrypt_hash_is_an_error_that_does_not_quote_the_hash()
    {
        var folder = Directory.CreateTempSubdirectory("dockps-htpasswd-").FullName;
        try
        {
            var path = Path.Combine(folder, "htpasswd");
            File.WriteAllText(path, "frank:{SHA}plaintext-ish\n");
            var error = Assert.Throws<InvalidDataException>(() => new HtpasswdFile(path));
            Assert.Contains("frank", error.Message);
            Assert.DoesNotContain("plaintext-ish", error.Message);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
