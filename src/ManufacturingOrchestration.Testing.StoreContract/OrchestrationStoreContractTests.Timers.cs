namespace ManufacturingOrchestration.Testing.StoreContract;

public abstract partial class OrchestrationStoreContractTests
{
    /// <summary><c>ReadDueTimersAsync</c> — several timers: returns only due ones earliest first.</summary>
    [Fact]
    public async Task ReadDueTimersAsync_SeveralTimers_ReturnsOnlyDueOnesEarliestFirst()
    {
        var store = await NewStoreAsync();
        await store.CommitAsync(
            [
                NewStep("lot-A", 0) with { Timers = [NewTimer("t-3", "lot-A", T0.AddMinutes(3)), NewTimer("t-1", "lot-A", T0.AddMinutes(1))] },
                NewStep("lot-B", 0) with { Timers = [NewTimer("t-10", "lot-B", T0.AddMinutes(10)), NewTimer("t-2", "lot-B", T0.AddMinutes(2), "escalation")] },
            ],
            Ct);

        var due = await store.ReadDueTimersAsync(T0.AddMinutes(5), 100, Ct);
        var firstTwo = await store.ReadDueTimersAsync(T0.AddMinutes(5), 2, Ct);
        var dueAtTheMinute = await store.ReadDueTimersAsync(T0.AddMinutes(1), 100, Ct);

        due.Select(t => t.Id).Should().Equal("t-1", "t-2", "t-3");
        due[1].PartitionKey.Should().Be("lot-B");
        due[1].Purpose.Should().Be("escalation");
        due[1].Data.Should().Be("{\"timer\":\"t-2\"}");
        firstTwo.Select(t => t.Id).Should().Equal("t-1", "t-2");
        dueAtTheMinute.Select(t => t.Id).Should().Equal(["t-1"], "a timer due exactly at the cut-off is due");
        (await store.ReadNextTimerDueAsync(Ct)).Should().Be(T0.AddMinutes(1));
    }

    /// <summary><c>CommitAsync</c> — timer with existing id: replaces it.</summary>
    [Fact]
    public async Task CommitAsync_TimerWithExistingId_ReplacesIt()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-A", 0) with { Timers = [NewTimer("t-sla", "lot-A", T0.AddMinutes(1))] });

        await CommitAsync(store, NewStep("lot-A", 1) with { Timers = [NewTimer("t-sla", "lot-A", T0.AddMinutes(5), "escalation")] });

        (await store.ReadDueTimersAsync(T0.AddMinutes(2), 100, Ct)).Should().BeEmpty();
        var replaced = (await store.ReadDueTimersAsync(T0.AddMinutes(5), 100, Ct)).Should().ContainSingle().Subject;
        replaced.DueAt.Should().Be(T0.AddMinutes(5));
        replaced.Purpose.Should().Be("escalation");
        (await store.ReadNextTimerDueAsync(Ct)).Should().Be(T0.AddMinutes(5));
    }

    /// <summary><c>CommitAsync</c> — cancelled timer: is gone and unknown ids are harmless.</summary>
    [Fact]
    public async Task CommitAsync_CancelledTimer_IsGoneAndUnknownIdsAreHarmless()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-A", 0) with { Timers = [NewTimer("t-1", "lot-A", T0.AddMinutes(1)), NewTimer("t-2", "lot-A", T0.AddMinutes(2))] });

        await CommitAsync(store, NewStep("lot-A", 1) with { CancelledTimers = ["t-1", "t-never-scheduled"] });

        (await store.ReadDueTimersAsync(T0.AddDays(1), 100, Ct)).Select(t => t.Id).Should().Equal("t-2");
        (await store.ReadNextTimerDueAsync(Ct)).Should().Be(T0.AddMinutes(2));
        await CommitAsync(store, NewStep("lot-A", 2) with { CancelledTimers = ["t-2"] });
        (await store.ReadNextTimerDueAsync(Ct)).Should().BeNull();
    }

    /// <summary><c>ReadNextTimerDueAsync</c> — no timers: returns null.</summary>
    [Fact]
    public async Task ReadNextTimerDueAsync_NoTimers_ReturnsNull()
    {
        var store = await NewStoreAsync();

        var next = await store.ReadNextTimerDueAsync(Ct);

        next.Should().BeNull();
    }
}
