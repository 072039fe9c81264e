using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>The 32 bytes of a SHA-256 hash, held inline.</summary>
[InlineArray(32)]
internal struct Sha256Bytes
{
    private byte _element;
}

/// <summary>
/// An audit chain head held in 48 bytes, not as an <see cref="AuditHead"/> object and its 64-character hash text
/// (about 190 bytes): what a node keeps for every partition between checkpoints, so a million partitions cost tens of
/// megabytes rather than hundreds. A head whose hash is not lower-case SHA-256 hex (one read from a stored checkpoint
/// that someone edited) is kept as it is, so unpacking always gives back exactly the head that was packed.
/// </summary>
internal readonly struct PackedAuditHead : IEquatable<PackedAuditHead>
{
    private readonly Sha256Bytes _hash;
    private readonly AuditHead? _asIs;

    private PackedAuditHead(long count, Sha256Bytes hash, AuditHead? asIs)
    {
        Count = count;
        _hash = hash;
        _asIs = asIs;
    }

    /// <summary>The number of records in the chain.</summary>
    public long Count { get; }

    /// <summary>Whether the hash is held as its 32 bytes (else the head is kept as it was given).</summary>
    public bool IsCompact => _asIs is null;

    public static PackedAuditHead Pack(AuditHead head)
    {
        var hash = default(Sha256Bytes);
        Span<byte> bytes = hash;
        return head.Hash.Length == 2 * bytes.Length && TryDecodeLowerHex(head.Hash.AsSpan(), bytes)
            ? new PackedAuditHead(head.Count, hash, null)
            : new PackedAuditHead(head.Count, default, head);
    }

    /// <summary>
    /// Packs a head read as UTF-8 text: the hash as its 32 bytes when the text is 64 lower-case hex digits, else kept as
    /// the text (decoded) it is, as <see cref="Pack(AuditHead)"/> would.
    /// </summary>
    public static PackedAuditHead Pack(long count, ReadOnlySpan<byte> utf8Hash)
    {
        var hash = default(Sha256Bytes);
        Span<byte> bytes = hash;
        return utf8Hash.Length == 2 * bytes.Length && TryDecodeLowerHex(utf8Hash, bytes)
            ? new PackedAuditHead(count, hash, null)
            : new PackedAuditHead(count, default, new AuditHead { Count = count, Hash = System.Text.Encoding.UTF8.GetString(utf8Hash) });
    }

    /// <summary>The same hash with another count.</summary>
    public PackedAuditHead WithCount(long count) => new(count, _hash, _asIs is null ? null : _asIs with { Count = count });

    public AuditHead Unpack() => _asIs ?? new AuditHead { Count = Count, Hash = Convert.ToHexStringLower(_hash) };

    /// <summary>The hash's text without a string of its own: written into <paramref name="scratch"/> (64 characters) when held as bytes.</summary>
    public ReadOnlySpan<char> Hash(Span<char> scratch)
    {
        if (_asIs is not null)
        {
            return _asIs.Hash;
        }

        Convert.TryToHexStringLower(_hash, scratch, out var written);
        return scratch[..written];
    }

    public bool Equals(PackedAuditHead other) =>
        Count == other.Count && ((ReadOnlySpan<byte>)_hash).SequenceEqual(other._hash) && Equals(_asIs, other._asIs);

    public override bool Equals(object? obj) => obj is PackedAuditHead other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Count, MemoryMarshal.Read<long>(_hash), _asIs);

    /// <summary>Decodes lower-case hex text (UTF-16 or UTF-8) exactly twice the destination's length; anything else is refused.</summary>
    private static bool TryDecodeLowerHex<TChar>(ReadOnlySpan<TChar> hex, Span<byte> destination)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var high = LowerHexDigit(int.CreateTruncating(hex[2 * i]));
            var low = LowerHexDigit(int.CreateTruncating(hex[(2 * i) + 1]));
            if ((high | low) < 0)
            {
                return false;
            }

            destination[i] = (byte)((high << 4) | low);
        }

        return true;
    }

    private static int LowerHexDigit(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}

/// <summary>
/// The heads of a checkpoint, sorted by partition key (ordinal) in two arrays: about 100 bytes a partition, the key's
/// text included. Read-only; each read unpacks the head it returns.
/// </summary>
internal sealed class PackedAuditHeads : IReadOnlyDictionary<string, AuditHead>
{
    private readonly string[] _keys;
    private readonly PackedAuditHead[] _heads;

    private PackedAuditHeads(string[] keys, PackedAuditHead[] heads)
    {
        _keys = keys;
        _heads = heads;
    }

    public int Count => _keys.Length;

    public IEnumerable<string> Keys => _keys;

    public IEnumerable<AuditHead> Values => _heads.Select(h => h.Unpack());

    public AuditHead this[string key] => TryGetValue(key, out var head) ? head : throw new KeyNotFoundException($"The checkpoint holds no head of partition '{key}'.");

    /// <summary>
    /// The heads of <paramref name="earlier"/> (a previous checkpoint's, packed or as read from the store) with
    /// <paramref name="later"/> over them: a partition in both takes its later head.
    /// </summary>
    public static PackedAuditHeads Merge(IReadOnlyDictionary<string, AuditHead>? earlier, IReadOnlyCollection<KeyValuePair<string, PackedAuditHead>> later)
    {
        if (earlier is PackedAuditHeads unchanged && later.Count == 0)
        {
            // Read-only: the same heads serve.
            return unchanged;
        }

        var (earlierKeys, earlierHeads) = earlier switch
        {
            null => ([], []),
            PackedAuditHeads packed => (packed._keys, packed._heads),
            _ => Sorted(earlier.Count, earlier.Select(h => KeyValuePair.Create(h.Key, PackedAuditHead.Pack(h.Value)))),
        };
        var (laterKeys, laterHeads) = Sorted(later.Count, later);
        var keys = new string[earlierKeys.Length + laterKeys.Length];
        var heads = new PackedAuditHead[keys.Length];
        int e = 0, l = 0, n = 0;
        while (e < earlierKeys.Length || l < laterKeys.Length)
        {
            var order = e == earlierKeys.Length ? 1 : l == laterKeys.Length ? -1 : string.CompareOrdinal(earlierKeys[e], laterKeys[l]);
            if (order < 0)
            {
                (keys[n], heads[n]) = (earlierKeys[e], earlierHeads[e]);
                e++;
            }
            else
            {
                (keys[n], heads[n]) = (laterKeys[l], laterHeads[l]);
                l++;
                e += order == 0 ? 1 : 0;
            }

            n++;
        }

        Array.Resize(ref keys, n);
        Array.Resize(ref heads, n);
        return new PackedAuditHeads(keys, heads);
    }

    /// <summary>The partition keys in ordinal order (for reading the heads in order without unpacking them).</summary>
    internal ReadOnlySpan<string> SortedKeys => _keys;

    /// <summary>The heads, at the index of their key in <see cref="SortedKeys"/>.</summary>
    internal ReadOnlySpan<PackedAuditHead> SortedHeads => _heads;

    /// <summary>
    /// Heads in any order, as read (from a stored checkpoint's JSON object): sorted here, and of a partition given more
    /// than once the head given last is kept, as a dictionary read from the same JSON keeps it.
    /// </summary>
    public static PackedAuditHeads FromUnsorted(List<string> keys, List<PackedAuditHead> heads)
    {
        // Sorted by key, then by the order given, so the last of equal keys is the one kept.
        var order = new int[keys.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (x, y) => string.CompareOrdinal(keys[x], keys[y]) is var byKey and not 0 ? byKey : x.CompareTo(y));
        var sortedKeys = new string[order.Length];
        var sortedHeads = new PackedAuditHead[order.Length];
        var n = 0;
        foreach (var index in order)
        {
            if (n > 0 && string.Equals(sortedKeys[n - 1], keys[index], StringComparison.Ordinal))
            {
                n--;
            }

            (sortedKeys[n], sortedHeads[n]) = (keys[index], heads[index]);
            n++;
        }

        Array.Resize(ref sortedKeys, n);
        Array.Resize(ref sortedHeads, n);
        return new PackedAuditHeads(sortedKeys, sortedHeads);
    }

    public bool ContainsKey(string key) => Find(key) >= 0;

    /// <summary>The number of records the head of a partition counts, or 0 when none is held; nothing unpacked.</summary>
    public long CountOf(string key) => Find(key) is var index and >= 0 ? _heads[index].Count : 0;

    /// <summary>Whether this is the head held for the partition.</summary>
    public bool Holds(string key, PackedAuditHead head) => Find(key) is var index and >= 0 && _heads[index].Equals(head);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out AuditHead value)
    {
        var index = Find(key);
        value = index >= 0 ? _heads[index].Unpack() : null;
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, AuditHead>> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            yield return KeyValuePair.Create(_keys[i], _heads[i].Unpack());
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Copies the entries into two arrays sorted by key (a concurrent table may have gained entries since its count was read: they are left out).</summary>
    private static (string[] Keys, PackedAuditHead[] Heads) Sorted(int count, IEnumerable<KeyValuePair<string, PackedAuditHead>> entries)
    {
        var keys = new string[count];
        var heads = new PackedAuditHead[count];
        var n = 0;
        foreach (var (key, head) in entries)
        {
            if (n == count)
            {
                break;
            }

            (keys[n], heads[n]) = (key, head);
            n++;
        }

        Array.Resize(ref keys, n);
        Array.Resize(ref heads, n);
        Array.Sort(keys, heads, StringComparer.Ordinal);
        return (keys, heads);
    }

    private int Find(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Array.BinarySearch(_keys, key, StringComparer.Ordinal);
    }
}
