using System.Formats.Tar;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text.RegularExpressions;

namespace DockPS.Client;

/// <summary>
/// Image archives on the client's side: telling a docker-save or OCI-layout archive from a root
/// filesystem tarball, sending an OCI layout directory as a tar, and writing what the daemon saves.
/// </summary>
internal static partial class ImageArchiveFile
{
    /// <summary>
    /// Whether <paramref name="path"/> is an image archive rather than a root filesystem: a
    /// directory holding an OCI layout or a docker-save tree, or a tar (plain or gzip) whose first
    /// entry is one of those archives' files. A root filesystem opens with ./, bin/, etc/ and the
    /// like, so the first entry decides without reading the rest.
    /// </summary>
    public static bool IsArchive(string path)
    {
        if (Directory.Exists(path))
        {
            return File.Exists(Path.Combine(path, "oci-layout")) || File.Exists(Path.Combine(path, "index.json")) || File.Exists(Path.Combine(path, "manifest.json"));
        }
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[2];
            var gzip = file.Read(magic) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
            file.Position = 0;
            using var content = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            using var reader = new TarReader(content);
            for (var i = 0; i < 4 && reader.GetNextEntry(copyData: false) is { } entry; i++)
            {
                var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                if (name is "" or "." or "./") { continue; }
                return ArchiveEntry().IsMatch(name);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
        {
            // Not a tar we can read here (zstd, or corrupt): the daemon judges it as a root filesystem.
        }
        return false;
    }

    [GeneratedRegex(@"^(manifest\.json|index\.json|oci-layout|repositories|blobs(/.*)?|[0-9a-f]{64}(\.json|\.tar|/.*)?)$")]
    private static partial Regex ArchiveEntry();

    /// <summary>A tar of a directory's contents, produced as it is read.</summary>
    public static Stream TarDirectory(string directory, CancellationToken cancellationToken)
    {
        var pipe = new Pipe();
        _ = Task.Run(async () =>
        {
            try
            {
                await using (var output = pipe.Writer.AsStream(leaveOpen: true))
                {
                    await TarFile.CreateFromDirectoryAsync(directory, output, includeBaseDirectory: false, cancellationToken);
                }
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
            }
        }, cancellationToken);
        return pipe.Reader.AsStream();
    }

    /// <summary>Bytes of the files under a directory (an upload's total, for its progress bar).</summary>
    public static long SizeOf(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
}
