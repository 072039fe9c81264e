namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

public sealed class ChunkedBufferWriterTests
{
    [Fact]
    public void Write_MoreThanAChunk_HandsEveryByteOnInOrderInChunksOfAtMost64Kb()
    {
        var received = new List<byte>();
        var chunks = new List<int>();
        var writer = new ChunkedBufferWriter(chunk =>
        {
            chunks.Add(chunk.Length);
            received.AddRange(chunk.ToArray());
        });
        var data = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7)).ToArray();

        for (var offset = 0; offset < data.Length; offset += 1_000)
        {
            var span = writer.GetSpan(1_000);
            data.AsSpan(offset, 1_000).CopyTo(span);
            writer.Advance(1_000);
        }

        writer.Flush();

        received.Should().Equal(data);
        writer.Length.Should().Be(data.Length);
        chunks.Should().OnlyContain(c => c > 0 && c <= 64 * 1024);
        chunks.Should().HaveCountGreaterThan(3);
    }

    [Fact]
    public void GetMemory_AskingForMoreThanAChunk_GetsItWhole()
    {
        var received = new List<int>();
        var writer = new ChunkedBufferWriter(chunk => received.Add(chunk.Length));
        writer.GetSpan(10)[0] = 1;
        writer.Advance(10);

        var memory = writer.GetMemory(100_000);
        memory.Length.Should().BeGreaterThanOrEqualTo(100_000);
        writer.Advance(100_000);
        writer.Flush();

        received.Should().Equal(10, 100_000);
    }

    [Fact]
    public void Measure_CountsWithoutHandingAnythingOn()
    {
        var length = ChunkedBufferWriter.Measure(w =>
        {
            w.GetSpan(70_000);
            w.Advance(70_000);
            w.GetSpan(5);
            w.Advance(5);
        });

        length.Should().Be(70_005);
    }

    [Fact]
    public void GetSpan_ExactlyWhatIsLeft_FillsTheChunkBeforeHandingItOn()
    {
        var chunks = new List<int>();
        var writer = new ChunkedBufferWriter(chunk => chunks.Add(chunk.Length));
        writer.GetSpan(60_000);
        writer.Advance(60_000);

        writer.GetSpan(64 * 1024 - 60_000);
        writer.Advance(64 * 1024 - 60_000);
        writer.Flush();

        chunks.Should().Equal(64 * 1024);
    }

    [Fact]
    public void Flush_NothingPending_HandsNothingOn()
    {
        var chunks = 0;
        var writer = new ChunkedBufferWriter(_ => chunks++);

        writer.Flush();
        writer.GetSpan(8);
        writer.Advance(8);
        writer.Flush();
        writer.Flush();

        chunks.Should().Be(1);
    }

    [Fact]
    public void Advance_BeyondWhatIsLeftAfterEarlierWrites_Throws()
    {
        var writer = new ChunkedBufferWriter(null);
        writer.GetSpan(10);
        writer.Advance(10);
        var given = writer.GetSpan(16).Length;

        FluentActions.Invoking(() => writer.Advance(given + 1)).Should().Throw<ArgumentOutOfRangeException>();
        writer.Length.Should().Be(10);
    }

    [Fact]
    public void Advance_BeyondWhatWasGiven_Throws()
    {
        var writer = new ChunkedBufferWriter(null);
        var given = writer.GetSpan(16).Length;

        FluentActions.Invoking(() => writer.Advance(given + 1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => writer.Advance(-1)).Should().Throw<ArgumentOutOfRangeException>();
        writer.Length.Should().Be(0);
    }
}
