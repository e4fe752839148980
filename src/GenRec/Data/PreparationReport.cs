namespace GenRec.Data;

/// <summary>What preparation read and what it removed, so that no row is dropped unreported.</summary>
internal sealed record PreparationReport(
    string Source,
    string Format,
    long RowsRead,
    int UsersRead,
    int ItemsRead,
    int KCore,
    string KCoreMode,
    int KCorePasses,
    long RowsRemovedByKCore,
    int UsersRemovedByKCore,
    int ItemsRemovedByKCore,
    int ItemsWithMetadata,
    int MetadataEntriesWithoutInteractions);
