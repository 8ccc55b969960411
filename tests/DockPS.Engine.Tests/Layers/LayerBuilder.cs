using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using DockPS.Engine.Layers;
using DockPS.Engine.Native;

namespace DockPS.Engine.Tests.Layers;

/// <summary>Builds layer tars in memory with System.Formats.Tar, so the unpacker is checked against an independent writer.</summary>
internal sealed class LayerBuilder
{
    public static readonly DateTimeOffset Epoch2020 = new(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly MemoryStream _tar = new();
    private readonly TarWriter _writer;

    public LayerBuilder() => _writer = new TarWriter(_tar, TarEntryFormat.Pax, leaveOpen: true);

    public LayerBuilder Dir(string name, int mode = 0x1ED, int uid = 0, int gid = 0, DateTimeOffset? mtime = null) =>
        Add(TarEntryType.Directory, name, null, mode, uid, gid, mtime);

    public LayerBuilder File(string name, string content, int mode = 0x1A4, int uid = 0, int gid = 0, DateTimeOffset? mtime = null,
        Dictionary<string, string>? xattrs = null) =>
        Add(TarEntryType.RegularFile, name, null, mode, uid, gid, mtime, Encoding.UTF8.GetBytes(content), xattrs);

    public LayerBuilder Symlink(string name, string target) => Add(TarEntryType.SymbolicLink, name, target);

    public LayerBuilder HardLink(string name, string target) => Add(TarEntryType.HardLink, name, target);

    public LayerBuilder Add(TarEntryType type, string name, string? link = null, int mode = 0x1ED, int uid = 0, int gid = 0,
        DateTimeOffset? mtime = null, byte[]? data = null, Dictionary<string, string>? xattrs = null)
    {
        var records = new Dictionary<string, string>();
        foreach (var (key, value) in xattrs ?? []) { records["SCHILY.xattr." + key] = value; }
        var entry = new PaxTarEntry(type, name, records)
        {
            Mode = (UnixFileMode)mode,
            Uid = uid,
            Gid = gid,
            ModificationTime = mtime ?? Epoch2020,
        };
        if (link is not null) { entry.LinkName = link; }
        if (data is not null) { entry.DataStream = new MemoryStream(data); }
        _writer.WriteEntry(entry);
        return this;
    }

    /// <summary>The finished tar (end-of-archive blocks included).</summary>
    public byte[] Tar()
    {
        _writer.Dispose();
        return _tar.ToArray();
    }

    public static byte[] Compress(byte[] tar, CompressionKind kind) => kind switch
    {
        CompressionKind.Gzip => Gzip(tar),
        CompressionKind.Zstd => Zstd(tar),
        _ => tar,
    };

    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) { gzip.Write(data); }
        return output.ToArray();
    }

    public static byte[] Zstd(byte[] data)
    {
        var output = new MemoryStream();
        using (var zstd = new ZstdSharp.CompressionStream(output, level: 3, leaveOpen: true))
        {
            // As containerd's and BuildKit's encoders do: a checksum that catches corruption in literals.
            zstd.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
            zstd.Write(data);
        }
        return output.ToArray();
    }

    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Rewrites one header's type flag (System.Formats.Tar will not write unknown types) and fixes its checksum.</summary>
    public static byte[] WithTypeFlag(byte[] tar, string entryName, char typeFlag)
    {
        var copy = (byte[])tar.Clone();
        var name = Encoding.ASCII.GetBytes(entryName);
        for (var offset = 0; offset + 512 <= copy.Length; offset += 512)
        {
            var header = copy.AsSpan(offset, 512);
            if (!header[..name.Length].SequenceEqual(name) || header[name.Length] != 0 || header[156] == 'x') { continue; }
            header[156] = (byte)typeFlag;
            header.Slice(148, 8).Fill((byte)' ');
            var sum = 0;
            foreach (var b in header) { sum += b; }
            Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header[148..]);
            return copy;
        }
        throw new ArgumentException($"no header named {entryName}");
    }

    /// <summary>Creates <paramref name="target"/> and unpacks into it from a forward-only stream.</summary>
    public static async Task<UnpackResult> UnpackAsync(byte[] blob, string target)
    {
        Directory.CreateDirectory(target);
        return await LayerUnpacker.UnpackAsync(new ForwardOnlyStream(blob), target, CancellationToken.None);
    }

    /// <summary>Runs a program and fails the test with its output if it fails.</summary>
    public static string Run(string file, params string[] arguments)
    {
        var (exitCode, stdout, stderr) = TryRun(file, arguments);
        Assert.True(exitCode == 0, $"{file} {string.Join(' ', arguments)} failed ({exitCode}): {stderr}");
        return stdout;
    }

    public static (int ExitCode, string Stdout, string Stderr) TryRun(string file, params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) { info.ArgumentList.Add(argument); }
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }

    public static FileStatus Stat(string path) => Posix.LStat(path);
}

/// <summary>A network-like stream: no seeking, no length, short reads.</summary>
internal sealed class ForwardOnlyStream(byte[] data, int maxRead = 7919) : ReadOnlyStream
{
    private int _position;

    public override int Read(Span<byte> buffer)
    {
        var count = Math.Min(Math.Min(buffer.Length, maxRead), data.Length - _position);
        data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));
}
