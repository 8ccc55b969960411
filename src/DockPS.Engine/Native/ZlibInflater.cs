using System.Runtime.InteropServices;

namespace DockPS.Engine.Native;

/// <summary>
/// Direct access to the inflate of the zlib-ng that .NET itself ships (libSystem.IO.Compression.Native,
/// which NativeAOT links statically and binds as a direct P/Invoke). GZipStream wraps the same code
/// but hides the one fact a layer unpacker needs: whether the gzip member really ended. It returns
/// end-of-stream for a truncated blob (dotnet/runtime#47563), so a cut-off download would unpack
/// as a shorter layer. Driving inflate here makes truncation an error and keeps zlib-ng's speed
/// (about 2.7x Debian's zlib on these machines).
/// </summary>
internal sealed unsafe partial class ZlibInflater : IDisposable
{
    /// <summary>inflate made progress and can go on.</summary>
    public const int Ok = 0;
    /// <summary>The gzip member ended and its CRC-32 and length trailer checked out.</summary>
    public const int StreamEnd = 1;
    /// <summary>The input is not valid gzip/deflate data (or its CRC is wrong).</summary>
    public const int DataError = -3;
    /// <summary>No progress possible: more input is needed.</summary>
    public const int BufferError = -5;

    // 15-bit window + 16: expect a gzip header and trailer, as an OCI layer has.
    private const int GzipWindowBits = 31;
    private const string Library = "libSystem.IO.Compression.Native";

    private ZStream* _stream;

    /// <summary>Prepares to inflate one gzip member.</summary>
    public ZlibInflater()
    {
        _stream = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));
        var result = InflateInit2(_stream, GzipWindowBits);
        if (result != Ok)
        {
            NativeMemory.Free(_stream);
            _stream = null;
            throw new InvalidOperationException($"zlib inflateInit2 failed ({result})");
        }
    }

    /// <summary>zlib's description of the last error, if it gave one.</summary>
    public string? Message => _stream->Message == null ? null : Marshal.PtrToStringUTF8((nint)_stream->Message);

    /// <summary>Runs inflate once and returns zlib's result code (<see cref="Ok"/>, <see cref="StreamEnd"/>, ...).</summary>
    public int Inflate(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        ObjectDisposedException.ThrowIf(_stream == null, this);
        fixed (byte* inPointer = input)
        fixed (byte* outPointer = output)
        {
            _stream->NextIn = inPointer;
            _stream->AvailIn = (uint)input.Length;
            _stream->NextOut = outPointer;
            _stream->AvailOut = (uint)output.Length;
            var result = Inflate(_stream, 0 /* Z_NO_FLUSH */);
            consumed = input.Length - (int)_stream->AvailIn;
            written = output.Length - (int)_stream->AvailOut;
            _stream->NextIn = _stream->NextOut = null;
            return result;
        }
    }

    /// <summary>Starts over for the next member of a multi-member gzip stream.</summary>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_stream == null, this);
        _ = InflateEnd(_stream);
        var result = InflateInit2(_stream, GzipWindowBits);
        if (result != Ok) { throw new InvalidOperationException($"zlib inflateInit2 failed ({result})"); }
    }

    /// <summary>Frees zlib's state.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~ZlibInflater() => Free();

    private void Free()
    {
        if (_stream == null) { return; }
        _ = InflateEnd(_stream);
        NativeMemory.Free(_stream);
        _stream = null;
    }

    // PAL_ZStream from dotnet/runtime src/native/libs/System.IO.Compression.Native/pal_zlib.h.
    // Message and the state pointer are written by native code only.
#pragma warning disable CS0649, CS0169
    private struct ZStream
    {
        public byte* NextIn;
        public byte* NextOut;
        public sbyte* Message;
        private void* _internalState;
        public uint AvailIn;
        public uint AvailOut;
    }
#pragma warning restore CS0649, CS0169

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateInit2_")]
    private static partial int InflateInit2(ZStream* stream, int windowBits);

    [LibraryImport(Library, EntryPoint = "CompressionNative_Inflate")]
    private static partial int Inflate(ZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateEnd")]
    private static partial int InflateEnd(ZStream* stream);
}
