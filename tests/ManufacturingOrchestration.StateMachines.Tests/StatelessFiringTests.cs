using System.Diagnostics;
using System.Reflection;
using ManufacturingOrchestration.Model;
using Stateless;
using Stateless.Reflection;

namespace ManufacturingOrchestration.StateMachines.Tests;

/// <summary>The machines are fired by Stateless: its guards, selectors and internal transitions decide every call.</summary>
public sealed class StatelessFiringTests
{
    private static readonly Assembly StatelessAssembly = typeof(StateMachine<,>).Assembly;

    public enum Light
    {
        Off,
        On,
        Dimmed,
    }

    public enum Switch
    {
        Press,
        Dim,
        Tap,
        Check,
    }

    private sealed class Hand
    {
        public List<bool> CalledByStateless { get; } = [];

        public bool Allowed { get; init; } = true;

        public Func<bool>? Inner { get; init; }
    }

    private static bool CalledFromStateless() =>
        new StackTrace().GetFrames().Any(f => f.GetMethod()?.DeclaringType?.Assembly == StatelessAssembly);

    private static TransitionTable<Light, Switch, Hand> NewTable()
    {
        var allowed = new TransitionGuard<Hand>(
            static h =>
            {
                h.CalledByStateless.Add(CalledFromStateless());
                return h.Allowed;
            },
            ReasonCodes.LotOnHold);
        var inner = new TransitionGuard<Hand>(static h => h.Inner?.Invoke() ?? true, ReasonCodes.Required);
        return new TransitionTable<Light, Switch, Hand>(
            t =>
            {
                t.Configure(Light.Off)
                    .PermitIf(Switch.Press, Light.On, allowed)
                    .PermitDynamic(
                        Switch.Dim,
                        static h =>
                        {
                            h.CalledByStateless.Add(CalledFromStateless());
                            return Light.Dimmed;
                        },
                        "always dimmed",
                        new DynamicStateInfos { { Light.Dimmed, "dimmed" } })
                    .InternalTransitionIf(Switch.Tap, allowed)
                    .PermitIf(Switch.Check, Light.On, inner);
                t.Configure(Light.On)
                    .Permit(Switch.Press, Light.Off);
                t.Configure(Light.Dimmed);
            },
            static (_, _) => ReasonCodes.TransitionNotPermitted);
    }

    [Theory]
    [InlineData(Switch.Press, Light.On)]
    [InlineData(Switch.Dim, Light.Dimmed)]
    [InlineData(Switch.Tap, Light.Off)]
    public void Fire_GuardsAndSelectorsAreCalledByTheStatelessMachine(Switch trigger, Light expected)
    {
        var hand = new Hand();

        var outcome = NewTable().Fire(Light.Off, trigger, hand);

        outcome.Should().Be(new TransitionTable<Light, Switch, Hand>.Outcome(expected, null));
        hand.CalledByStateless.Should().NotBeEmpty().And.OnlyContain(calledByStateless => calledByStateless, "Stateless evaluates the guards and selectors");
    }

    [Fact]
    public void Fire_GuardRefusing_IsRefusedByStatelessWithTheGuardsReason()
    {
        var hand = new Hand { Allowed = false };

        var rejection = NewTable().Fire(Light.Off, Switch.Press, hand).Rejection!;

        rejection.ReasonCode.Should().Be(ReasonCodes.LotOnHold);
        rejection.PermittedTriggers.Should().Equal("Dim", "Check");
        hand.CalledByStateless.Should().NotBeEmpty().And.OnlyContain(calledByStateless => calledByStateless);
    }

    [Fact]
    public void Fire_GuardFiringTheSameTableOnItsThread_BothCallsGetTheirOwnAnswer()
    {
        var table = NewTable();
        TransitionTable<Light, Switch, Hand>.Outcome inner = default;
        var hand = new Hand
        {
            Inner = () =>
            {
                inner = table.Fire(Light.On, Switch.Press, new Hand());
                return true;
            },
        };

        var outer = table.Fire(Light.Off, Switch.Check, hand);

        outer.Should().Be(new TransitionTable<Light, Switch, Hand>.Outcome(Light.On, null));
        inner.Should().Be(new TransitionTable<Light, Switch, Hand>.Outcome(Light.Off, null));
        table.Fire(Light.Off, Switch.Press, new Hand()).State.Should().Be(Light.On, "the thread's machine is free again");
    }

    [Fact]
    public void Apply_ManyThreadsOnDifferentLots_GiveTheSameResultsAsOneThread()
    {
        var today = new DateOnly(2026, 3, 1);
        var calls = Enumerable.Range(0, 64).Select(i => LotCall(i)).ToList();
        var sequential = calls.Select(c => Describe(LotStockMachine.Apply(c.Lot, c.Movement, LotPolicy.Default, today))).ToList();
        sequential.Should().Contain(r => r.StartsWith("accepted", StringComparison.Ordinal)).And.Contain(r => r.StartsWith("rejected", StringComparison.Ordinal));

        const int Threads = 8;
        const int Rounds = 50;
        var results = new string[Threads][];
        var failures = new List<Exception>();
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                var mine = new string[calls.Count];
                start.SignalAndWait(TimeSpan.FromSeconds(30));
                for (var round = 0; round < Rounds; round++)
                {
                    // Each thread walks the lots from its own offset so different threads fire different lots at once.
                    for (var k = 0; k < calls.Count; k++)
                    {
                        var i = (k + (t * 7)) % calls.Count;
                        var result = Describe(LotStockMachine.Apply(calls[i].Lot, calls[i].Movement, LotPolicy.Default, today));
                        if (round > 0 && result != mine[i])
                        {
                            throw new InvalidOperationException($"Call {i} gave '{result}' after '{mine[i]}'.");
                        }

                        mine[i] = result;
                    }
                }

                results[t] = mine;
            }
            catch (Exception ex)
            {
                lock (failures)
                {
                    failures.Add(ex);
                }
            }
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join(TimeSpan.FromSeconds(60)).Should().BeTrue("every thread finishes"));

        failures.Should().BeEmpty();
        results.Should().AllSatisfy(r => r.Should().Equal(sequential));
    }

    [Fact]
    public void LotStockMachine_StatelessInfoAndFiringAgreeForEveryStateAndTrigger()
    {
        var lot = new MaterialLot
        {
            Id = new LotId("LOT-1"),
            Material = new MaterialId("CAP-100"),
            Site = new SiteId("PLANT-1"),
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.Unrestricted, Quantity = Quantity.Each(10) }],
        };
        var movement = new GoodsMovement
        {
            Kind = MovementKind.CategoryTransfer,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = Quantity.Each(1),
        };

        AssertInfoAgreesWithFiring(
            TableOf<LotStockState, LotStockTrigger, LotMoveContext>(typeof(LotStockMachine)),
            LotStockMachine.GetInfo(),
            _ => new LotMoveContext(lot, movement, LotPolicy.Default, new DateOnly(2026, 3, 1), LotStockState.Unrestricted) { ReversalPermitted = true });
    }

    [Fact]
    public void ProductionOrderMachine_StatelessInfoAndFiringAgreeForEveryStateAndTrigger()
    {
        var order = new ProductionOrder
        {
            Id = new OrderId("PO-1"),
            Material = new MaterialId("ASSY-1"),
            Site = new SiteId("PLANT-1"),
            PlannedQuantity = Quantity.Each(100),
        };

        AssertInfoAgreesWithFiring(
            TableOf<ProductionOrderStatus, ProductionOrderTrigger, OrderContext>(typeof(ProductionOrderMachine)),
            ProductionOrderMachine.GetInfo(),
            state => new OrderContext(order with { Status = state }, ProductionOrderTriggerArgs.None));
    }

    [Fact]
    public void NonconformanceMachine_StatelessInfoAndFiringAgreeForEveryStateAndTrigger()
    {
        var site = new SiteProfile { Id = new SiteId("PLANT-1") };
        var args = new NonconformanceTriggerArgs
        {
            Lines =
            [
                new MrbDispositionLine
                {
                    Disposition = MrbDisposition.Scrap,
                    Lot = new LotId("LOT-1"),
                    Quantity = Quantity.Each(10),
                    Justification = "Beyond repair",
                    Authorizer = new ActorId("qe-anna"),
                },
            ],
        };

        AssertInfoAgreesWithFiring(
            TableOf<NonconformanceStatus, NonconformanceTrigger, NcrContext>(typeof(NonconformanceMachine)),
            NonconformanceMachine.GetInfo(),
            state => new NcrContext(
                new Nonconformance { Id = new NonconformanceId("NC-1"), Problem = "Out of tolerance", Site = site.Id, Status = state },
                args,
                site));
    }

    [Fact]
    public void QuarantineOrderMachine_StatelessInfoAndFiringAgreeForEveryStateAndTrigger()
    {
        var order = new QuarantineOrder(
            new QuarantineOrderId("QO-1"),
            new LotId("LOT-1"),
            new MaterialId("CAP-100"),
            new SiteId("PLANT-1"),
            Quantity.Each(10),
            new StorageLocationId("WH-MAIN"),
            new StorageLocationId("WH-QUAR"))
        {
            ScrappedQuantity = Quantity.Each(8),
        };

        // A scrap of 3 with 2 left in quarantine: Stateless's guard refuses it wherever Scrap is listed.
        AssertInfoAgreesWithFiring(
            TableOf<QuarantineOrderStatus, QuarantineOrderTrigger, QuarantineContext>(typeof(QuarantineOrderMachine)),
            QuarantineOrderMachine.GetInfo(),
            state => new QuarantineContext(order with { Status = state }, new QuarantineOrderTriggerArgs { ScrapQuantity = Quantity.Each(3) }));
    }

    private static TransitionTable<TState, TTrigger, TContext> TableOf<TState, TTrigger, TContext>(Type machine)
        where TState : struct, Enum
        where TTrigger : struct, Enum
        where TContext : class =>
        (TransitionTable<TState, TTrigger, TContext>)(machine.GetField("Table", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null)
            ?? throw new InvalidOperationException($"{machine.Name} keeps its transition table in a static field named Table."));

    /// <summary>
    /// For every state and trigger: a pair the Stateless description does not list is refused with the machine's reason
    /// for it; a pair it lists without guards fires to its destination (a dynamic one to one of its possible
    /// destinations); a guarded pair either fires there or is refused with one of its guards' reason codes.
    /// </summary>
    private static void AssertInfoAgreesWithFiring<TState, TTrigger, TContext>(TransitionTable<TState, TTrigger, TContext> table, StateMachineInfo info, Func<TState, TContext> contextFor)
        where TState : struct, Enum
        where TTrigger : struct, Enum
        where TContext : class
    {
        var fired = 0;
        var refused = 0;
        foreach (var state in Enum.GetValues<TState>())
        {
            var stateInfo = info.States.SingleOrDefault(s => s.UnderlyingState.Equals(state));
            foreach (var trigger in Enum.GetValues<TTrigger>())
            {
                var because = $"{trigger} in {state}";
                var outcome = table.Fire(state, trigger, contextFor(state));
                var fixedEdges = stateInfo?.FixedTransitions.Where(t => t.Trigger.UnderlyingTrigger.Equals(trigger)).ToList() ?? [];
                var dynamicEdges = stateInfo?.DynamicTransitions.Where(t => t.Trigger.UnderlyingTrigger.Equals(trigger)).ToList() ?? [];
                (fixedEdges.Count + dynamicEdges.Count).Should().BeLessThanOrEqualTo(1, because);
                TransitionInfo? edge = fixedEdges.Count == 1 ? fixedEdges[0] : dynamicEdges.SingleOrDefault();
                if (edge is null)
                {
                    outcome.Rejection.Should().NotBeNull(because);
                    outcome.Rejection!.ReasonCode.Should().Be(table.ReasonWhenNotPermitted(state, trigger), because);
                    outcome.State.Should().Be(state, because);
                    refused++;
                    continue;
                }

                var guardReasons = edge.GuardConditionsMethodDescriptions
                    .SelectMany(g => g.Description.Split(", "))
                    .Where(d => ReasonCodes.TryFind(d, out _))
                    .ToList();
                if (outcome.Rejection is { } rejection)
                {
                    guardReasons.Should().NotBeEmpty($"{because} is listed without guards, so it fires");
                    guardReasons.Should().Contain(rejection.ReasonCode.Code, because);
                    refused++;
                    continue;
                }

                var destinations = edge switch
                {
                    FixedTransitionInfo { IsInternalTransition: true } => [state.ToString()],
                    FixedTransitionInfo f => [f.DestinationState.UnderlyingState.ToString()!],
                    DynamicTransitionInfo d => d.PossibleDestinationStates.Select(p => p.DestinationState).ToList(),
                    _ => new List<string>(),
                };
                destinations.Should().Contain(outcome.State.ToString(), because);
                fired++;
            }
        }

        fired.Should().BePositive();
        refused.Should().BePositive();
    }

    private static (MaterialLot Lot, GoodsMovement Movement) LotCall(int i)
    {
        var lot = new MaterialLot
        {
            Id = new LotId($"LOT-{i}"),
            Material = new MaterialId("CAP-100"),
            Site = new SiteId("PLANT-1"),
            Unit = UnitOfMeasure.Each,
            IsRestrictedBatch = i % 5 == 0,
            RequiresReinspection = i % 7 == 0,
            Buckets =
            [
                new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(100) },
                new StockBucket { Category = StockCategory.Blocked, Quantity = Quantity.Each(20) },
                new StockBucket { Category = StockCategory.Unrestricted, Quantity = Quantity.Each(50) },
            ],
        };
        var (kind, from, to) = (i % 6) switch
        {
            0 => (MovementKind.CategoryTransfer, StockCategory.QualityInspection, (StockCategory?)StockCategory.Unrestricted),
            1 => (MovementKind.CategoryTransfer, StockCategory.Blocked, StockCategory.Unrestricted),
            2 => (MovementKind.Consumption, StockCategory.QualityInspection, null),
            3 => (MovementKind.Consumption, StockCategory.Unrestricted, null),
            4 => (MovementKind.CategoryTransfer, StockCategory.Unrestricted, StockCategory.Blocked),
            _ => (MovementKind.Scrap, StockCategory.Blocked, null),
        };
        var movement = new GoodsMovement
        {
            Kind = kind,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = Quantity.Each(1 + (i % 10)),
            FromCategory = from,
            ToCategory = to,
        };
        return (lot, movement);
    }

    private static string Describe(TransitionResult<MaterialLot> result) => result.Value is { } lot
        ? $"accepted v{lot.Version} {lot.QualityDecision} {string.Join(";", lot.Buckets.Select(b => $"{b.Category}/{b.Ownership}/{b.Location}={b.Quantity}"))} scrapped={lot.ScrappedQuantity} consumed={lot.ConsumedQuantity}"
        : $"rejected {result.Rejection!.ReasonCode.Code} '{result.Rejection.Message}' [{string.Join(",", result.Rejection.PermittedTriggers)}]";
}
