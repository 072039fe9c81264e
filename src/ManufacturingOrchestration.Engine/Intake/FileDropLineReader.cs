using System.Buffers;
using System.Text;

namespace ManufacturingOrchestration.Engine.Intake;

/// <summary>One line of a dropped file, as bytes: nothing is decoded (and so nothing replaced) before the parser looks.</summary>
internal readonly record struct FileDropLine
{
    /// <summary>The 1-based line number.</summary>
    public required int Number { get; init; }

    /// <summary>The line without its line break (the first <see cref="FileDropLineReader.ExcerptBytes"/> bytes when <see cref="TooLong"/>).</summary>
    public required ReadOnlyMemory<byte> Bytes { get; init; }

    /// <summary>The line's length in bytes, counted up to the limit and one more when <see cref="TooLong"/>.</summary>
    public required int Length { get; init; }

    /// <summary>Whether the line is longer than the limit; its rest was skipped unread.</summary>
    public bool TooLong { get; init; }

    /// <summary>Whether the line has only spaces and tabs.</summary>
    public bool IsBlank { get; init; }

    /// <summary>Why the file cannot be read as lines of UTF-8 at all (no more lines follow), or <see langword="null"/>.</summary>
    public string? FileProblem { get; init; }
}

/// <summary>
/// Splits a file into lines of bytes (<c>\n</c> or <c>\r\n</c>), holding at most one line of the limit in memory: a
/// longer line is reported as too long and skipped to its end, so a huge or binary file never exhausts memory. A UTF-8
/// byte order mark at the start is dropped; a UTF-16 or UTF-32 one makes the file unreadable (files are UTF-8).
/// </summary>
/// <param name="stream">The content.</param>
/// <param name="maxLineBytes">The longest line.</param>
/// <param name="settledLength">
/// <see langword="null"/> when the content is complete (an upload, a message): its last line is a line even without a
/// line break. Otherwise the content is a file that may still be written in place, and a last line without a line
/// break may be cut off: it is held back (<see cref="HeldBackUnfinishedLine"/>) unless the content ends exactly at this
/// length, the length of the file seen unchanged since the previous poll (-1: always held back).
/// </param>
internal sealed class FileDropLineReader(Stream stream, int maxLineBytes, long? settledLength = null)
{
    /// <summary>How much of a too-long line is kept for the rejection's excerpt.</summary>
    public const int ExcerptBytes = 2048;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private int _start;
    private int _end;
    private bool _eof;
    private bool _first = true;
    private long _position;

    /// <summary>The number of the last line returned.</summary>
    public int LineNumber { get; private set; }

    /// <summary>Whether the content ended in a line without a line break that was held back, not returned: the file
    /// may still be being written, and the line may be cut off.</summary>
    public bool HeldBackUnfinishedLine { get; private set; }

    /// <summary>Decodes a line as strict UTF-8.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>The next line, or <see langword="null"/> at the end of the file.</summary>
    public async ValueTask<FileDropLine?> ReadLineAsync(CancellationToken cancellationToken = default)
    {
        _line.Clear();
        var length = 0;
        var tooLong = false;
        while (true)
        {
            if (_start == _end)
            {
                if (_eof)
                {
                    break;
                }

                _start = 0;
                _end = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                _position += _end;
                if (_end == 0)
                {
                    _eof = true;
                    break;
                }

                if (_first)
                {
                    _first = false;

                    // A byte order mark may arrive over several reads (a trickling upload): look once enough bytes are here.
                    while (_end < 4 && await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false) is var more and > 0)
                    {
                        _end += more;
                        _position += more;
                    }

                    if (FirstBytesProblem() is { } problem)
                    {
                        _eof = true;
                        _start = _end;
                        return new FileDropLine { Number = LineNumber + 1, Bytes = ReadOnlyMemory<byte>.Empty, Length = 0, FileProblem = problem };
                    }
                }
            }

            var available = _buffer.AsSpan(_start, _end - _start);
            var newline = available.IndexOf((byte)'\n');
            var chunk = newline >= 0 ? available[..newline] : available;
            Append(chunk, ref length, ref tooLong);
            _start += chunk.Length;
            if (newline >= 0)
            {
                _start++;
                return Complete(length, tooLong);
            }
        }

        if (length == 0 && _line.WrittenCount == 0)
        {
            return null;
        }

        if (settledLength is { } settled && _position != settled)
        {
            // No line break ends the file, and the file is not the one seen unchanged at the previous poll: the writer may
            // be in the middle of this line ("12" of "120"). Publishing it would book a wrong value under an id the full
            // line does not have.
            HeldBackUnfinishedLine = true;
            return null;
        }

        return Complete(length, tooLong);
    }

    private string? FirstBytesProblem()
    {
        var head = _buffer.AsSpan(0, _end);
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            _start = 3;
            return null;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            return "The file starts with a UTF-16 or UTF-32 byte order mark; dropped files are read as UTF-8.";
        }

        return null;
    }

    private void Append(ReadOnlySpan<byte> chunk, ref int length, ref bool tooLong)
    {
        length = (int)Math.Min((long)length + chunk.Length, int.MaxValue);
        if (tooLong)
        {
            return;
        }

        // One byte over the limit is held back: it may be the carriage return of a CRLF break, which is not part of the line.
        if (length > (long)maxLineBytes + 1)
        {
            // Keep only the start for the excerpt; the rest of the line is skipped as it is read.
            tooLong = true;
            var keep = Math.Max(0, Math.Min(chunk.Length, ExcerptBytes - _line.WrittenCount));
            _line.Write(chunk[..keep]);
            return;
        }

        _line.Write(chunk);
    }

    private FileDropLine Complete(int length, bool tooLong)
    {
        LineNumber++;
        var bytes = _line.WrittenSpan;
        if (!tooLong && bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
            length--;
        }

        if (!tooLong && length > maxLineBytes)
        {
            tooLong = true;
            bytes = bytes[..Math.Min(bytes.Length, ExcerptBytes)];
        }

        var blank = !tooLong && bytes.IndexOfAnyExcept((byte)' ', (byte)'\t', (byte)'\r') < 0;
        return new FileDropLine
        {
            Number = LineNumber,
            Bytes = bytes.ToArray(),
            Length = length,
            TooLong = tooLong,
            IsBlank = blank,
        };
    }
}
