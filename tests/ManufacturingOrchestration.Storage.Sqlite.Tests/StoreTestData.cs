using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

/// <summary>The smallest commits and events the SQLite store's own tests write.</summary>
internal static class StoreTestData
{
    /// <summary>The instant the events are accepted at.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    /// <summary>A commit that only moves a key from <paramref name="expectedVersion"/> to the next version.</summary>
    public static StepCommit NewState(string partitionKey, long expectedVersion) =>
        new() { PartitionKey = partitionKey, ExpectedVersion = expectedVersion, NewState = new PartitionState { Key = partitionKey, Version = expectedVersion + 1 } };

    /// <summary>A passed inspection of lot <paramref name="partitionKey"/>, keyed by it.</summary>
    public static InboxEvent NewEvent(string partitionKey, string id) => new()
    {
        Key = new EventKey("qms://plant-1", id),
        PartitionKey = partitionKey,
        AcceptedAt = T0,
        Envelope = new EventEnvelope
        {
            Id = id,
            Source = "qms://plant-1",
            Type = EventTypes.InspectionPassed,
            Time = T0,
            Data = new InspectionPassed { InspectionLot = new InspectionLotId("IL-1"), Lot = new LotId(partitionKey), Material = new MaterialId("M-1"), Site = new SiteId("plant-1") },
        },
    };
}
