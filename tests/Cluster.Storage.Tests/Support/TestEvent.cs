namespace Cluster.Storage.Tests.Support;

/// <summary>A stream event of the contract tests: the number of the event within its stream.</summary>
[GenerateSerializer, Immutable]
public sealed record TestEvent([property: Id(0)] int Number);
