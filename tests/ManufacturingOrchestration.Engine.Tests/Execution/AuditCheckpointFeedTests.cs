using System.Reflection;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public sealed class AuditCheckpointFeedTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(new long[0], 0, 0)]
    [InlineData(new long[] { 1 }, 0, 1)]
    [InlineData(new long[] { 1, 2, 3, 4, 5, 6, 7 }, 0, 7)]
    [InlineData(new long[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 0, 8)]
    [InlineData(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 3, 9)]
    [InlineData(new long[] { 1, 2, 3 }, 3, 3)]
    [InlineData(new long[] { 5, 9, 40, 41, 1000 }, 0, 1000)]
    [InlineData(new long[] { 5, 9, 40, 41, 1000, 1001 }, 9, 1001)]
    [InlineData(new long[] { 2, 3, 64, 65, 127 }, 0, 127)]
    [InlineData(new long[] { 2, 3, 64, 65, 128 }, 0, 128)]
    [InlineData(new long[] { 2, 3, 64, 65, 129 }, 0, 129)]
    [InlineData(new long[] { 1, long.MaxValue - 1 }, 0, long.MaxValue - 1)]
    [InlineData(new long[] { 1, long.MaxValue }, 0, long.MaxValue)]
    [InlineData(new long[] { long.MaxValue / 2, (long.MaxValue / 2) + 1 }, 0, (long.MaxValue / 2) + 1)]
    public async Task FindEndAsync_ReturnsTheLastPosition_GapsIncluded(long[] positions, long from, long expected)
    {
        var feed = FeedStore.Over(positions);

        (await AuditCheckpointFeed.FindEndAsync(feed.Store, from, Ct)).Should().Be(expected);
    }

    [Fact]
    public async Task FindEndAsync_ALongFeed_ReadsAboutTwiceTheLogarithmOfItsLength()
    {
        var feed = FeedStore.Over([.. Enumerable.Range(1, 1_000_000).Select(i => (long)i)]);

        (await AuditCheckpointFeed.FindEndAsync(feed.Store, 0, Ct)).Should().Be(1_000_000);

        feed.Reads.Should().BeLessThanOrEqualTo(2 * 21, "a million positions take about 20 doublings and 20 halvings, not a read per record");
        feed.MaxCountsAsked.Should().AllSatisfy(count => count.Should().Be(1));
    }

    /// <summary>A store whose only working member is the audit feed, over the given positions.</summary>
    public class FeedStore : DispatchProxy
    {
        private long[] _positions = [];

        public IOrchestrationStore Store { get; private set; } = null!;

        public int Reads { get; private set; }

        public List<int> MaxCountsAsked { get; } = [];

        public static FeedStore Over(long[] positions)
        {
            var store = DispatchProxy.Create<IOrchestrationStore, FeedStore>();
            var proxy = (FeedStore)(object)store;
            proxy._positions = positions;
            proxy.Store = store;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(IOrchestrationStore.ReadAuditFeedAsync))
            {
                throw new NotSupportedException(targetMethod?.Name);
            }

            Reads++;
            var after = (long)args![0]!;
            var maxCount = (int)args[1]!;
            MaxCountsAsked.Add(maxCount);
            IReadOnlyList<AuditFeedEntry> entries = [.. _positions.Where(p => p > after).Take(maxCount).Select(p => new AuditFeedEntry { Position = p, Record = null! })];
            return new ValueTask<IReadOnlyList<AuditFeedEntry>>(entries);
        }
    }
}
