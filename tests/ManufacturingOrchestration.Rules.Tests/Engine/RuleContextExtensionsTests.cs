using ManufacturingOrchestration.Model;
using NRules;
using NRules.Extensibility;
using NRules.Fluent;

namespace ManufacturingOrchestration.Rules.Tests.Engine;

public sealed class RuleContextExtensionsTests
{
    [Fact]
    public void Decide_InASessionTheEngineDidNotCreate_ThrowsRuleEvaluationFailed()
    {
        var repository = new RuleRepository();
        repository.Load(spec => spec.From(typeof(ReleaseAnywayRule)));
        var session = repository.Compile(TestContext.Current.CancellationToken).CreateSession();
        session.DependencyResolver = new AnythingResolver();
        session.Insert(TestFacts.Failed());

        var act = () => session.Fire(TestContext.Current.CancellationToken);

        var inner = act.Should().Throw<RuleExecutionException>().Which.InnerException.Should().BeOfType<ManufacturingOrchestrationException>().Subject;
        inner.ReasonCode.Should().Be(ReasonCodes.RuleEvaluationFailed);
        inner.Message.Should().Be("Decide was called outside a decision engine evaluation.");
    }

    [Fact]
    public void Decide_NullContext_Throws()
    {
        var act = () => RuleContextExtensions.Decide(null!, new AlertQuality { Site = TestFacts.SiteId, Message = "m" });

        act.Should().Throw<ArgumentNullException>().WithParameterName("context");
    }

    private sealed class AnythingResolver : IDependencyResolver
    {
        public object Resolve(IResolutionContext context, Type serviceType) => new object();
    }
}
