using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Tests.Audit;

public sealed class PackedAuditHeadsTests
{
    private static readonly string HashA = Convert.ToHexStringLower(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
    private static readonly string HashB = Convert.ToHexStringLower(Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray());

    [Theory]
    [InlineData("lower")]
    [InlineData(AuditHashes.GenesisHash)]
    [InlineData("ABCDEF0000000000000000000000000000000000000000000000000000000000")]
    [InlineData("abc")]
    [InlineData("zz000000000000000000000000000000000000000000000000000000000000zz")]
    [InlineData("")]
    public void Pack_ThenUnpack_GivesBackTheSameHead(string hash)
    {
        var head = new AuditHead { Count = 7, Hash = hash == "lower" ? HashA : hash };

        PackedAuditHead.Pack(head).Unpack().Should().Be(head);
    }

    [Theory]
    [InlineData("0123456789abcdef", true)]
    [InlineData("0000000000000000", true)]
    [InlineData("ffffffffffffffff", true)]
    [InlineData("0123456789ABCDEF", false)]
    [InlineData("/123456789abcdef", false)]
    [InlineData(":123456789abcdef", false)]
    [InlineData("`123456789abcdef", false)]
    [InlineData("g123456789abcdef", false)]
    public void Pack_HoldsLowerCaseHexOfSha256Length_AsBytes(string sixteenChars, bool compact)
    {
        var head = new AuditHead { Count = 3, Hash = string.Concat(Enumerable.Repeat(sixteenChars, 4)) };

        var packed = PackedAuditHead.Pack(head);

        packed.IsCompact.Should().Be(compact);
        packed.Unpack().Should().Be(head);
    }

    [Theory]
    [InlineData(62)]
    [InlineData(66)]
    [InlineData(32)]
    [InlineData(128)]
    public void Pack_HexOfAnotherLength_IsKeptAsItIs(int length)
    {
        var head = new AuditHead { Count = 1, Hash = new string('a', length) };

        var packed = PackedAuditHead.Pack(head);

        packed.IsCompact.Should().BeFalse();
        packed.Unpack().Should().Be(head);
    }

    [Fact]
    public void Equals_ComparesCountAndHash()
    {
        var a = PackedAuditHead.Pack(new AuditHead { Count = 1, Hash = HashA });

        a.Should().Be(PackedAuditHead.Pack(new AuditHead { Count = 1, Hash = HashA }));
        a.GetHashCode().Should().Be(PackedAuditHead.Pack(new AuditHead { Count = 1, Hash = HashA }).GetHashCode());
        a.Should().NotBe(PackedAuditHead.Pack(new AuditHead { Count = 2, Hash = HashA }));
        a.Should().NotBe(PackedAuditHead.Pack(new AuditHead { Count = 1, Hash = HashB }));
        a.Should().NotBe(PackedAuditHead.Pack(new AuditHead { Count = 1, Hash = HashA.ToUpperInvariant() }), "a head that is not lower-case hex is kept as it is");
    }

    [Fact]
    public void Merge_LaterHeadsOverEarlierOnes_SortedByKey()
    {
        var earlier = new Dictionary<string, AuditHead>(StringComparer.Ordinal)
        {
            ["b"] = new() { Count = 1, Hash = HashA },
            ["d"] = new() { Count = 1, Hash = HashA },
            ["a"] = new() { Count = 3, Hash = HashB },
        };

        var merged = PackedAuditHeads.Merge(earlier, [Entry("c", 1, HashB), Entry("b", 2, HashB), Entry("B", 1, HashA)]);

        merged.Keys.Should().Equal("B", "a", "b", "c", "d");
        merged.Count.Should().Be(5);
        merged["b"].Should().Be(new AuditHead { Count = 2, Hash = HashB });
        merged["a"].Should().Be(new AuditHead { Count = 3, Hash = HashB });
        merged.Select(h => h.Key).Should().Equal(merged.Keys);
        merged.Values.Select(h => h.Count).Should().Equal(1, 3, 2, 1, 1);
    }

    [Fact]
    public void Merge_OverAPackedCheckpoint_KeepsItsHeadsAndAddsTheNewOnes()
    {
        var first = PackedAuditHeads.Merge(null, [Entry("k", 1, HashA), Entry("m", 1, HashA)]);

        var second = PackedAuditHeads.Merge(first, [Entry("m", 2, HashB), Entry("z", 1, HashA)]);

        second.Keys.Should().Equal("k", "m", "z");
        second["m"].Count.Should().Be(2);
        first["m"].Count.Should().Be(1, "a checkpoint's heads never change");
        PackedAuditHeads.Merge(second, []).Should().Equal(second);
    }

    [Fact]
    public void Lookups_OfAMissingKey_FindNothing()
    {
        var heads = PackedAuditHeads.Merge(null, [Entry("k", 1, HashA)]);

        heads.ContainsKey("k").Should().BeTrue();
        heads.ContainsKey("j").Should().BeFalse();
        heads.TryGetValue("j", out var missing).Should().BeFalse();
        missing.Should().BeNull();
        FluentActions.Invoking(() => heads["j"]).Should().Throw<KeyNotFoundException>().WithMessage("*'j'*");
    }

    [Fact]
    public void Checkpoint_WithPackedHeads_HashesAndStoresLikeTheSameHeadsInADictionary()
    {
        var plain = new AuditCheckpoint
        {
            Number = 2,
            TakenAt = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero),
            Heads = new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["z"] = new() { Count = 4, Hash = HashA }, ["a"] = new() { Count = 1, Hash = "odd" } },
            PreviousHash = HashB,
            Hash = string.Empty,
        };
        var packed = plain with { Heads = PackedAuditHeads.Merge(plain.Heads, []) };

        AuditHashes.Compute(packed).Should().Be(AuditHashes.Compute(plain));
        StoredRecordJson.ReadAuditCheckpoint(StoredRecordJson.Write(packed), "the checkpoint").Heads.Should().BeEquivalentTo(plain.Heads);
    }

    [Fact]
    public void Checkpoint_PackedHeadsWithLongCountsAndEditedHashes_HashesLikeTheSameHeadsInADictionary()
    {
        var plain = new AuditCheckpoint
        {
            Number = 7,
            TakenAt = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero),
            Heads = new Dictionary<string, AuditHead>(StringComparer.Ordinal)
            {
                ["b"] = new() { Count = long.MaxValue, Hash = HashB },
                ["a"] = new() { Count = 0, Hash = string.Empty },
                ["é"] = new() { Count = 10, Hash = HashA.ToUpperInvariant() },
            },
            PreviousHash = HashB,
            Hash = string.Empty,
        };

        AuditHashes.Compute(plain with { Heads = PackedAuditHeads.Merge(plain.Heads, []) }).Should().Be(AuditHashes.Compute(plain));
    }

    [Fact]
    public void FromUnsorted_SortsByKeyAndKeepsTheLastHeadOfAKeyGivenTwice()
    {
        var heads = PackedAuditHeads.FromUnsorted(
            ["c", "a", "c", "b", "a", "c"],
            [Entry("c", 1, HashA).Value, Entry("a", 1, HashA).Value, Entry("c", 2, HashB).Value, Entry("b", 5, HashA).Value, Entry("a", 3, "odd").Value, Entry("c", 4, HashA).Value]);

        heads.Keys.Should().Equal("a", "b", "c");
        heads.Values.Should().HaveCount(3, "a head given twice is held once");
        heads["a"].Should().Be(new AuditHead { Count = 3, Hash = "odd" });
        heads["b"].Should().Be(new AuditHead { Count = 5, Hash = HashA });
        heads["c"].Should().Be(new AuditHead { Count = 4, Hash = HashA });
    }

    [Fact]
    public void Merge_NothingOverPackedHeads_GivesThemBackAsTheyAre()
    {
        var packed = PackedAuditHeads.Merge(null, [Entry("k", 1, HashA)]);

        PackedAuditHeads.Merge(packed, []).Should().BeSameAs(packed);
        PackedAuditHeads.Merge(packed, [Entry("j", 1, HashA)]).Should().NotBeSameAs(packed).And.HaveCount(2);
        PackedAuditHeads.Merge(packed, [Entry("k", 2, HashB)]).Values.Should().Equal([new AuditHead { Count = 2, Hash = HashB }], "a partition in both is held once");
    }

    [Fact]
    public void FromUnsorted_Nothing_IsEmpty() =>
        PackedAuditHeads.FromUnsorted([], []).Should().BeEmpty();

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff", true)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeF", false)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg", false)]
    [InlineData("/123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData(":123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("`123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", false)]
    [InlineData("", false)]
    public void Pack_Utf8Text_HoldsLowerCaseHexAsBytesAndAnythingElseAsItIs(string hash, bool compact)
    {
        var head = PackedAuditHead.Pack(9, System.Text.Encoding.UTF8.GetBytes(hash));

        head.IsCompact.Should().Be(compact);
        head.Unpack().Should().Be(new AuditHead { Count = 9, Hash = hash });
        head.Hash(new char[64]).ToString().Should().Be(hash);
        head.Should().Be(PackedAuditHead.Pack(new AuditHead { Count = 9, Hash = hash }));
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("edited")]
    public void WithCount_KeepsTheHash(string hash)
    {
        var head = PackedAuditHead.Pack(new AuditHead { Count = 1, Hash = hash }).WithCount(42);

        head.Unpack().Should().Be(new AuditHead { Count = 42, Hash = hash });
    }

    [Fact]
    public void Holds_OnlyTheHeadMergedForThatKey()
    {
        var heads = PackedAuditHeads.Merge(null, [Entry("k", 1, HashA)]);

        heads.Holds("k", Entry("k", 1, HashA).Value).Should().BeTrue();
        heads.Holds("k", Entry("k", 2, HashB).Value).Should().BeFalse("a newer head of k was committed after the merge: it is not checkpointed yet");
        heads.Holds("j", Entry("j", 1, HashA).Value).Should().BeFalse();
    }

    [Fact]
    public void Merge_ACollectionThatGrewWhileItWasRead_TakesAsManyAsItCounted()
    {
        var merged = PackedAuditHeads.Merge(null, new Growing([Entry("b", 1, HashA), Entry("a", 1, HashA)], count: 1));

        merged.Keys.Should().Equal("b");
    }

    [Fact]
    public void Merge_ACollectionThatLostEntriesWhileItWasRead_TakesThoseItFound()
    {
        var merged = PackedAuditHeads.Merge(null, new Growing([Entry("b", 1, HashA), Entry("a", 1, HashA)], count: 3));

        merged.Keys.Should().Equal("a", "b");
        merged.Count.Should().Be(2);
    }

    [Fact]
    public void Lookups_OfANullKey_Throw()
    {
        var heads = PackedAuditHeads.Merge(null, [Entry("k", 1, HashA)]);

        FluentActions.Invoking(() => heads.ContainsKey(null!)).Should().Throw<ArgumentNullException>();
    }

    private static KeyValuePair<string, PackedAuditHead> Entry(string key, long count, string hash) =>
        KeyValuePair.Create(key, PackedAuditHead.Pack(new AuditHead { Count = count, Hash = hash }));

    /// <summary>A table that gained entries after its count was read, as the node's heads may while a checkpoint copies them.</summary>
    private sealed class Growing(KeyValuePair<string, PackedAuditHead>[] entries, int count) : IReadOnlyCollection<KeyValuePair<string, PackedAuditHead>>
    {
        public int Count => count;

        public IEnumerator<KeyValuePair<string, PackedAuditHead>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, PackedAuditHead>>)entries).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
