// Every cluster test starts silos on a 2-core machine; run them one at a time so none starves another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
