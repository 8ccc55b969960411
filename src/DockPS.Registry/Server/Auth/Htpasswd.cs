using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace DockPS.Registry.Server.Auth;

/// <summary>
/// An htpasswd file of bcrypt hashes (<c>user:$2y$10$...</c>, one per line, as <c>htpasswd -B</c>
/// writes), the registry's user list. The file is re-read when it changes, so users can be added
/// while the registry serves. Passwords are only ever compared, never stored or logged.
/// </summary>
public sealed class HtpasswdFile
{
    /// <summary>The bcrypt cost <see cref="Hash"/> uses: htpasswd's and the reference registry's default range.</summary>
    public const int WorkFactor = 10;

    // bcrypt costs tens of milliseconds by design; a client that sends Basic credentials on every
    // blob request would pay it each time. A success is remembered for a while under a keyed hash
    // of the password (the key lives only in this process), never the password itself.
    private static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);
    // Compared against when the user is unknown, so a wrong name costs as long as a wrong password.
    private static readonly string DummyHash = BCrypt.Net.BCrypt.HashPassword(Guid.NewGuid().ToString(), WorkFactor);

    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, (byte[] Proof, DateTime Until)> _verified = new(StringComparer.Ordinal);
    private readonly Lock _reload = new();
    private volatile IReadOnlyDictionary<string, string> _users;
    private (DateTime Written, long Length) _version;
    private DateTime _checkedAt;

    /// <summary>Reads <paramref name="path"/>; throws when it is missing or has a line that is not <c>user:bcrypt-hash</c>.</summary>
    public HtpasswdFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _version = Version();
        _users = Read(Path);
        _checkedAt = DateTime.UtcNow;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The users the file names.</summary>
    public IReadOnlyList<string> Users => [.. CurrentUsers().Keys];

    /// <summary>True when <paramref name="user"/> is in the file and <paramref name="password"/> matches its hash.</summary>
    public bool Verify(string user, string password)
    {
        var users = CurrentUsers();
        var proof = HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(user + "\0" + password));
        if (_verified.TryGetValue(user, out var seen) && seen.Until > DateTime.UtcNow
            && CryptographicOperations.FixedTimeEquals(seen.Proof, proof) && users.ContainsKey(user))
        {
            return true;
        }
        var known = users.TryGetValue(user, out var hash);
        bool matches;
        try { matches = BCrypt.Net.BCrypt.Verify(password, known ? hash : DummyHash); }
        catch (BCrypt.Net.SaltParseException) { matches = false; }
        if (!known || !matches) { return false; }
        _verified[user] = (proof, DateTime.UtcNow + RememberFor);
        return true;
    }

    /// <summary>A bcrypt hash of <paramref name="password"/> in the <c>$2y$</c> form htpasswd writes.</summary>
    public static string Hash(string password) =>
        BCrypt.Net.BCrypt.HashPassword(password, BCrypt.Net.BCrypt.GenerateSalt(WorkFactor, 'y'));

    /// <summary>
    /// Writes <paramref name="path"/> holding <paramref name="user"/> with a fresh hash of
    /// <paramref name="password"/>, keeping the file's other users unless <paramref name="replace"/>.
    /// The file is replaced atomically and readable by its owner only.
    /// </summary>
    public static void SetUser(string path, string user, string password, bool replace = false)
    {
        RequireUserName(user);
        var lines = new List<string>();
        if (!replace && File.Exists(path))
        {
            lines.AddRange(File.ReadAllLines(path).Where(line => line.Trim().Length > 0 && !line.StartsWith(user + ":", StringComparison.Ordinal)));
        }
        lines.Add($"{user}:{Hash(password)}");
        AtomicFile.WriteOwnerOnly(path, Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"), overwrite: true);
    }

    /// <summary>Throws unless <paramref name="user"/> can be a line's name: not empty, no colon, no whitespace or control characters.</summary>
    public static void RequireUserName(string user)
    {
        if (user.Length == 0 || user.Any(c => c == ':' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ArgumentException($"'{user}' cannot be an htpasswd user name (it must be non-empty, without ':' or spaces)");
        }
    }

    private IReadOnlyDictionary<string, string> CurrentUsers()
    {
        if (DateTime.UtcNow - _checkedAt < CheckEvery) { return _users; }
        lock (_reload)
        {
            if (DateTime.UtcNow - _checkedAt < CheckEvery) { return _users; }
            _checkedAt = DateTime.UtcNow;
            var version = Version();
            if (version != _version)
            {
                try
                {
                    _users = Read(Path);
                    _version = version;
                    _verified.Clear();
                }
                catch (IOException)
                {
                    // A file being rewritten by hand may be half there: keep the users we had.
                }
            }
            return _users;
        }
    }

    private (DateTime, long) Version()
    {
        var info = new FileInfo(Path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }

    private static Dictionary<string, string> Read(string path)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) { continue; }
            var colon = line.IndexOf(':');
            var hash = colon > 0 ? line[(colon + 1)..] : "";
            if (!(hash.StartsWith("$2a$", StringComparison.Ordinal) || hash.StartsWith("$2b$", StringComparison.Ordinal) || hash.StartsWith("$2y$", StringComparison.Ordinal)))
            {
                // Only the user name is quoted: the rest of the line may be a secret.
                throw new InvalidDataException($"{path}:{number}: '{(colon > 0 ? line[..colon] : "(no user)")}' has no bcrypt hash (create entries with htpasswd -B or dockps-registry htpasswd)");
            }
            users[line[..colon]] = hash;
        }
        return users;
    }
}
