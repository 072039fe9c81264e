using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ManufacturingOrchestration.Engine.Commands;

/// <summary>
/// Derives the idempotency key of an adapter command, deterministically, from the event that caused it, the workflow
/// step that planned it and the command kind, so a retry or a replay after a crash sends the same key.
/// </summary>
/// <remarks>
/// Format: <c>mo1-</c> followed by 32 lower-case hex characters, the first 128 bits of
/// SHA-256(UTF-8 of <c>source \n id \n step \n kind \n occurrence</c>), where <c>occurrence</c> counts commands of
/// the same kind planned by the same step for the same event (0, 1, 2…). No part may contain a line feed
/// (intake rejects control characters in event ids and sources), so the joined input is unambiguous. 36 characters: short enough for ERP
/// reference fields. An edited replay's key is derived from the original key and a revision number:
/// <c>mo1-</c> + hex of SHA-256(<c>original \n rev \n n</c>).
/// </remarks>
public static class IdempotencyKeys
{
    /// <summary>The prefix of every key of this format.</summary>
    public const string Prefix = "mo1-";

    /// <summary>Derives the key of a command.</summary>
    /// <param name="source">The causing event's source.</param>
    /// <param name="eventId">The causing event's id.</param>
    /// <param name="step">The workflow step.</param>
    /// <param name="kind">The command kind.</param>
    /// <param name="occurrence">How many commands of the same kind this step planned before for this event.</param>
    /// <returns>The key.</returns>
    public static string Derive(string source, string eventId, string step, string kind, int occurrence = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        ArgumentException.ThrowIfNullOrEmpty(step);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentOutOfRangeException.ThrowIfNegative(occurrence);
        RejectSeparator(source, nameof(source));
        RejectSeparator(eventId, nameof(eventId));
        RejectSeparator(step, nameof(step));
        RejectSeparator(kind, nameof(kind));
        return Hash(source, eventId, step, kind, occurrence.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Derives the key of a revised command (an operator's edited replay).</summary>
    /// <param name="originalKey">The original command's key.</param>
    /// <param name="revision">The revision number, starting at 1.</param>
    /// <returns>The new key.</returns>
    public static string DeriveRevision(string originalKey, int revision)
    {
        ArgumentException.ThrowIfNullOrEmpty(originalKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(revision, 1);
        return Hash(originalKey, "rev", revision.ToString(CultureInfo.InvariantCulture), string.Empty, string.Empty);
    }

    private static void RejectSeparator(string part, string name)
    {
        // The parts are joined with '\n'; a part containing it could make two different inputs share a key.
        if (part.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("An idempotency key part must not contain a line feed (intake rejects control characters in event ids and sources).", name);
        }
    }

    private static string FormatKey(ReadOnlySpan<byte> digest)
    {
        // One string: the prefix, then the digest as lowercase hex.
        Span<char> chars = stackalloc char[Prefix.Length + (digest.Length * 2)];
        Prefix.CopyTo(chars);
        Convert.TryToHexStringLower(digest, chars[Prefix.Length..], out _);
        return new string(chars);
    }

    private static string Hash(string a, string b, string c, string d, string e)
    {
        var length = Encoding.UTF8.GetMaxByteCount(a.Length + b.Length + c.Length + d.Length + e.Length + 4);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = 0;
            foreach (var part in (ReadOnlySpan<string>)[a, b, c, d, e])
            {
                if (written > 0)
                {
                    rented[written++] = (byte)'\n';
                }

                written += Encoding.UTF8.GetBytes(part, rented.AsSpan(written));
            }

            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(rented.AsSpan(0, written), hash);
            return FormatKey(hash[..16]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
