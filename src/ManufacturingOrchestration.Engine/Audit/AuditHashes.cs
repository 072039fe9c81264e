using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>
/// The hash function of the audit trail: SHA-256 over a length-prefixed encoding of every field of a record and the
/// previous record's hash, written as lower-case hex. The encoding is stable: changing it is a breaking change.
/// </summary>
public static class AuditHashes
{
    /// <summary>The hash that precedes the first record of every chain (and the first checkpoint).</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Computes the hash of a record from its content and <see cref="AuditRecord.PreviousHash"/> (its <see cref="AuditRecord.Hash"/> is ignored).</summary>
    /// <param name="record">The record.</param>
    /// <returns>The lower-case hex SHA-256.</returns>
    public static string Compute(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(buffer, "mo-audit-v1");
        Write(buffer, record.PartitionKey);
        Write(buffer, record.Sequence.ToString(CultureInfo.InvariantCulture));
        Write(buffer, record.RecordedAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
        Write(buffer, record.Actor);
        Write(buffer, record.Action);
        Write(buffer, record.Reason);
        Write(buffer, record.Explanation);
        Write(buffer, record.Workflow);
        Write(buffer, record.WorkflowVersion?.ToString(CultureInfo.InvariantCulture));
        Write(buffer, record.WorkflowFingerprint);
        Write(buffer, record.Event?.Source);
        Write(buffer, record.Event?.Id);
        Write(buffer, record.CorrelationId);
        Write(buffer, record.Before);
        Write(buffer, record.After);
        Write(buffer, record.PreviousHash);
        return Hex(buffer.WrittenSpan);
    }

    /// <summary>Computes the hash of a checkpoint over its heads (in ordinal key order) and previous hash.</summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <returns>The lower-case hex SHA-256.</returns>
    public static string Compute(AuditCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var buffer = new ArrayBufferWriter<byte>(256 + (checkpoint.Heads.Count * 96));
        Write(buffer, "mo-checkpoint-v1");
        Write(buffer, checkpoint.Number.ToString(CultureInfo.InvariantCulture));
        Write(buffer, checkpoint.TakenAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
        var keys = checkpoint.Heads.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var head = checkpoint.Heads[key];
            Write(buffer, key);
            Write(buffer, head.Count.ToString(CultureInfo.InvariantCulture));
            Write(buffer, head.Hash);
        }

        Write(buffer, checkpoint.PreviousHash);
        return Hex(buffer.WrittenSpan);
    }

    /// <summary>Creates the next record of a chain: assigns sequence, previous hash and hash.</summary>
    /// <param name="head">The chain head before the record.</param>
    /// <param name="draft">The record content (its <see cref="AuditRecord.Sequence"/>, <see cref="AuditRecord.PreviousHash"/> and <see cref="AuditRecord.Hash"/> are replaced).</param>
    /// <param name="newHead">The chain head after the record.</param>
    /// <returns>The chained record.</returns>
    public static AuditRecord Chain(AuditHead head, AuditRecord draft, out AuditHead newHead)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(draft);
        var record = draft with { Sequence = head.Count + 1, PreviousHash = head.Hash, Hash = string.Empty };
        record = record with { Hash = Compute(record) };
        newHead = new AuditHead { Count = record.Sequence, Hash = record.Hash };
        return record;
    }

    private static void Write(ArrayBufferWriter<byte> buffer, string? value)
    {
        // Length-prefixed so that field boundaries cannot be forged; -1 marks null.
        var span = buffer.GetSpan(4);
        if (value is null)
        {
            BitConverter.TryWriteBytes(span, -1);
            buffer.Advance(4);
            return;
        }

        var byteCount = Encoding.UTF8.GetByteCount(value);
        BitConverter.TryWriteBytes(span, byteCount);
        buffer.Advance(4);
        var target = buffer.GetSpan(byteCount);
        var written = Encoding.UTF8.GetBytes(value, target);
        buffer.Advance(written);
    }

    private static string Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, hash);
        return Convert.ToHexStringLower(hash);
    }
}
