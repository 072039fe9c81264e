using System.Buffers;
using System.Diagnostics.CodeAnalysis;
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
        return Compute(new AuditContent(record), record.Sequence, record.PreviousHash);
    }

    /// <summary>The hash of a record with this content, sequence and previous hash.</summary>
    private static string Compute(in AuditContent record, long recordSequence, string previousHash)
    {
        // The exact size is known up front, so the bytes go into one pooled buffer (a record with a long explanation
        // would otherwise grow and copy a fresh array several times). The bytes hashed are the same as ever.
        Span<char> sequence = stackalloc char[20];
        Span<char> recordedAt = stackalloc char[20];
        Span<char> workflowVersion = stackalloc char[11];
        recordSequence.TryFormat(sequence, out var sequenceLength, default, CultureInfo.InvariantCulture);
        record.RecordedAt.UtcTicks.TryFormat(recordedAt, out var recordedAtLength, default, CultureInfo.InvariantCulture);
        var versionLength = -1;
        if (record.WorkflowVersion is { } version)
        {
            version.TryFormat(workflowVersion, out versionLength, default, CultureInfo.InvariantCulture);
        }

        var size = Size(Prefix) + Size(record.PartitionKey) + 4 + sequenceLength + 4 + recordedAtLength + Size(record.Actor) + Size(record.Action)
            + Size(record.Reason) + Size(record.Explanation) + Size(record.Workflow) + 4 + Math.Max(versionLength, 0) + Size(record.WorkflowFingerprint)
            + Size(record.Event?.Source) + Size(record.Event?.Id) + Size(record.CorrelationId) + Size(record.Before) + Size(record.After)
            + Size(previousHash);
        var rented = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var written = 0;
            var target = rented.AsSpan(0, size);
            Write(target, ref written, Prefix);
            Write(target, ref written, record.PartitionKey);
            Write(target, ref written, sequence[..sequenceLength]);
            Write(target, ref written, recordedAt[..recordedAtLength]);
            Write(target, ref written, record.Actor);
            Write(target, ref written, record.Action);
            Write(target, ref written, record.Reason);
            Write(target, ref written, record.Explanation);
            Write(target, ref written, record.Workflow);
            if (versionLength < 0)
            {
                Write(target, ref written, (string?)null);
            }
            else
            {
                Write(target, ref written, workflowVersion[..versionLength]);
            }

            Write(target, ref written, record.WorkflowFingerprint);
            Write(target, ref written, record.Event?.Source);
            Write(target, ref written, record.Event?.Id);
            Write(target, ref written, record.CorrelationId);
            Write(target, ref written, record.Before);
            Write(target, ref written, record.After);
            Write(target, ref written, previousHash);
            return Hex(target[..written]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Computes the hash of a checkpoint over its heads (in ordinal key order) and previous hash.</summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <returns>The lower-case hex SHA-256.</returns>
    public static string Compute(AuditCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);

        // Hashed as it is written, a chunk at a time: a checkpoint of a million heads would otherwise need its ~100 MB
        // of encoded content in one buffer.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new ArrayBufferWriter<byte>(CheckpointChunk + 1024);
        Write(buffer, "mo-checkpoint-v1");
        Write(buffer, checkpoint.Number.ToString(CultureInfo.InvariantCulture));
        Write(buffer, checkpoint.TakenAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
        if (checkpoint.Heads is PackedAuditHeads packed)
        {
            // Already in key order; nothing unpacked (a head object and two strings per partition otherwise).
            Span<char> text = stackalloc char[64];
            var keys = packed.SortedKeys;
            var heads = packed.SortedHeads;
            for (var i = 0; i < keys.Length; i++)
            {
                Write(buffer, keys[i]);
                heads[i].Count.TryFormat(text, out var digits, default, CultureInfo.InvariantCulture);
                Write(buffer, text[..digits]);
                Write(buffer, heads[i].Hash(text));
                FlushChunk(hash, buffer);
            }
        }
        else
        {
            var keys = checkpoint.Heads.Keys.ToArray();
            Array.Sort(keys, StringComparer.Ordinal);
            foreach (var key in keys)
            {
                var head = checkpoint.Heads[key];
                Write(buffer, key);
                Write(buffer, head.Count.ToString(CultureInfo.InvariantCulture));
                Write(buffer, head.Hash);
                FlushChunk(hash, buffer);
            }
        }

        Write(buffer, checkpoint.PreviousHash);
        hash.AppendData(buffer.WrittenSpan);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>How much of a checkpoint's encoded content is hashed at a time.</summary>
    private const int CheckpointChunk = 64 * 1024;

    private static void FlushChunk(IncrementalHash hash, ArrayBufferWriter<byte> buffer)
    {
        if (buffer.WrittenCount >= CheckpointChunk)
        {
            hash.AppendData(buffer.WrittenSpan);
            buffer.ResetWrittenCount();
        }
    }

    /// <summary>
    /// The bytes an <see cref="IAuditCheckpointSigner"/> signs for a checkpoint: its number, the hash recomputed from its
    /// content (<see cref="Compute(AuditCheckpoint)"/>, not the stored <see cref="AuditCheckpoint.Hash"/>) and
    /// <see cref="AuditCheckpoint.PreviousMac"/>, length-prefixed. The encoding is stable: changing it is a breaking change.
    /// </summary>
    /// <param name="checkpoint">The checkpoint (its <see cref="AuditCheckpoint.Mac"/> is ignored).</param>
    /// <returns>The payload.</returns>
    public static byte[] CheckpointMacPayload(AuditCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var buffer = new ArrayBufferWriter<byte>(192);
        Write(buffer, "mo-checkpoint-mac-v1");
        Write(buffer, checkpoint.Number.ToString(CultureInfo.InvariantCulture));
        Write(buffer, Compute(checkpoint));
        Write(buffer, checkpoint.PreviousMac);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The checkpoint that follows <paramref name="previous"/> (the first when none): its number, the previous hash, its
    /// <see cref="AuditCheckpoint.Hash"/>, and with a signer its <see cref="AuditCheckpoint.PreviousMac"/> (the previous
    /// checkpoint's MAC) and <see cref="AuditCheckpoint.Mac"/>.
    /// </summary>
    internal static AuditCheckpoint ChainCheckpoint(AuditCheckpoint? previous, DateTimeOffset takenAt, PackedAuditHeads heads, IAuditCheckpointSigner? signer)
    {
        var checkpoint = new AuditCheckpoint
        {
            Number = (previous?.Number ?? 0) + 1,
            TakenAt = takenAt,
            Heads = heads,
            PreviousHash = previous?.Hash ?? GenesisHash,
            Hash = string.Empty,
        };
        checkpoint = checkpoint with { Hash = Compute(checkpoint) };
        if (signer is not null)
        {
            checkpoint = checkpoint with { PreviousMac = previous?.Mac };
            checkpoint = checkpoint with { Mac = signer.Sign(CheckpointMacPayload(checkpoint)) };
        }

        return checkpoint;
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
        // One copy of the draft: the hash is computed from the draft's fields with the chained sequence and previous hash.
        var sequence = head.Count + 1;
        var record = draft with { Sequence = sequence, PreviousHash = head.Hash, Hash = Compute(new AuditContent(draft), sequence, head.Hash) };
        newHead = new AuditHead { Count = record.Sequence, Hash = record.Hash };
        return record;
    }

    /// <summary>
    /// Creates the next record of a chain from its content directly: the hash is computed from the fields before the
    /// record exists, so the record is allocated once (no draft to copy). The same record as <see cref="Chain(AuditHead, AuditRecord, out AuditHead)"/> makes.
    /// </summary>
    internal static AuditRecord Chain(AuditHead head, in AuditContent content, out AuditHead newHead)
    {
        var sequence = head.Count + 1;
        var hash = Compute(content, sequence, head.Hash);
        var record = new AuditRecord
        {
            PartitionKey = content.PartitionKey,
            Sequence = sequence,
            RecordedAt = content.RecordedAt,
            Actor = content.Actor,
            Action = content.Action,
            Reason = content.Reason,
            Explanation = content.Explanation,
            Workflow = content.Workflow,
            WorkflowVersion = content.WorkflowVersion,
            WorkflowFingerprint = content.WorkflowFingerprint,
            Event = content.Event,
            CorrelationId = content.CorrelationId,
            Before = content.Before,
            After = content.After,
            PreviousHash = head.Hash,
            Hash = hash,
        };
        newHead = new AuditHead { Count = sequence, Hash = hash };
        return record;
    }

    private const string Prefix = "mo-audit-v1";

    private static int Size(string? value) => 4 + (value is null ? 0 : Encoding.UTF8.GetByteCount(value));

    private static void Write(Span<byte> target, ref int written, string? value)
    {
        // Length-prefixed so that field boundaries cannot be forged; -1 marks null.
        if (value is null)
        {
            BitConverter.TryWriteBytes(target[written..], -1);
            written += 4;
            return;
        }

        Write(target, ref written, value.AsSpan());
    }

    private static void Write(Span<byte> target, ref int written, ReadOnlySpan<char> value)
    {
        var count = Encoding.UTF8.GetBytes(value, target[(written + 4)..]);
        BitConverter.TryWriteBytes(target[written..], count);
        written += 4 + count;
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

        Write(buffer, value.AsSpan());
    }

    private static void Write(ArrayBufferWriter<byte> buffer, ReadOnlySpan<char> value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        BitConverter.TryWriteBytes(buffer.GetSpan(4), byteCount);
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

/// <summary>The hashed content of an audit record apart from its sequence and previous hash (no record allocated for it).</summary>
internal readonly struct AuditContent
{
    [SetsRequiredMembers]
    public AuditContent(AuditRecord record)
    {
        PartitionKey = record.PartitionKey;
        RecordedAt = record.RecordedAt;
        Actor = record.Actor;
        Action = record.Action;
        Reason = record.Reason;
        Explanation = record.Explanation;
        Workflow = record.Workflow;
        WorkflowVersion = record.WorkflowVersion;
        WorkflowFingerprint = record.WorkflowFingerprint;
        Event = record.Event;
        CorrelationId = record.CorrelationId;
        Before = record.Before;
        After = record.After;
    }

    public required string PartitionKey { get; init; }

    public required DateTimeOffset RecordedAt { get; init; }

    public required string Actor { get; init; }

    public required string Action { get; init; }

    public required string Reason { get; init; }

    public string? Explanation { get; init; }

    public string? Workflow { get; init; }

    public int? WorkflowVersion { get; init; }

    public string? WorkflowFingerprint { get; init; }

    public EventKey? Event { get; init; }

    public string? CorrelationId { get; init; }

    public string? Before { get; init; }

    public string? After { get; init; }
}
