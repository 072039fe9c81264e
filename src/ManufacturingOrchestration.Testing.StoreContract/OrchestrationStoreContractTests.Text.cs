using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Testing.StoreContract;

public abstract partial class OrchestrationStoreContractTests
{
    /// <summary>Keys a store must keep apart and give back exactly as written: a byte order mark, combining marks
    /// (no normalization), characters outside the BMP.</summary>
    public static TheoryData<string, string> KeysThatDifferOnlyInUnicodeDetails => new()
    {
        { "dup-1", "\uFEFFdup-1" },
        { "caf\u00E9-1", "cafe\u0301-1" },
        { "lot-\U0001F600", "lot-\U0001F601" },
    };

    /// <summary><c>AcceptAsync</c> — ids that differ only in unicode details: are distinct and read back exactly after reopen.</summary>
    [Theory]
    [MemberData(nameof(KeysThatDifferOnlyInUnicodeDetails))]
    public async Task AcceptAsync_IdsThatDifferOnlyInUnicodeDetails_AreDistinctAndReadBackExactlyAfterReopen(string first, string second)
    {
        var store = await NewStoreAsync();

        var accepted = await AcceptAsync(store, TextEvent(first, first), TextEvent(second, second));
        store = await ReopenAsync(store);

        accepted.Should().Equal([true, true], "the two ids are different strings and so different events");
        var firstRead = await store.ReadPendingEventsAsync(first, 0, 10, Ct);
        var secondRead = await store.ReadPendingEventsAsync(second, 0, 10, Ct);
        firstRead.Should().ContainSingle().Which.Key.Id.Should().Be(first);
        firstRead[0].PartitionKey.Should().Be(first);
        firstRead[0].Envelope.Id.Should().Be(first);
        secondRead.Should().ContainSingle().Which.Key.Id.Should().Be(second);
        secondRead[0].PartitionKey.Should().Be(second);
        secondRead[0].Envelope.PartitionKey.Should().Be(second);
    }

    /// <summary><c>CommitAsync</c> — audit chains of partitions that differ only in unicode details: stay apart and verify after reopen.</summary>
    [Theory]
    [MemberData(nameof(KeysThatDifferOnlyInUnicodeDetails))]
    public async Task CommitAsync_AuditChainsOfPartitionsThatDifferOnlyInUnicodeDetails_StayApartAndVerifyAfterReopen(string first, string second)
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep(first, 0) with { Audit = NewAudit(first, AuditHead.Genesis, 2, out var firstHead), NewState = NewState(first, 1) with { AuditHead = firstHead } });
        await CommitAsync(store, NewStep(second, 0) with { Audit = NewAudit(second, AuditHead.Genesis, 1, out var secondHead), NewState = NewState(second, 1) with { AuditHead = secondHead } });

        store = await ReopenAsync(store);

        (await store.ReadAuditPartitionsAsync(Ct)).Should().BeEquivalentTo([first, second]);
        (await store.ReadAuditAsync(first, 1, Ct)).Should().HaveCount(2).And.OnlyContain(r => r.PartitionKey == first);
        (await store.ReadAuditAsync(second, 1, Ct)).Should().ContainSingle().Which.PartitionKey.Should().Be(second);
        (await store.LoadPartitionAsync(second, Ct))!.Key.Should().Be(second);
        var result = await new AuditVerifier(store).VerifyAllAsync(Ct);
        result.IsValid.Should().BeTrue();
        result.ChainsChecked.Should().Be(2);
    }

    private static InboxEvent TextEvent(string partitionKey, string id) => new()
    {
        Key = new EventKey(QmsSource, id),
        PartitionKey = partitionKey,
        AcceptedAt = T0,
        Envelope = new EventEnvelope
        {
            Id = id,
            Source = QmsSource,
            Type = EventTypes.InspectionPassed,
            Time = T0,
            PartitionKey = partitionKey,
            Data = new InspectionPassed
            {
                InspectionLot = new InspectionLotId("IL-1"),
                Lot = new LotId("L-1"),
                Material = new MaterialId("M-100"),
                Site = new SiteId("plant-1"),
            },
        },
    };
}
