/// What the archive needs from the database: the ledger (`archive_days`), the day partitions and their rows.
/// Implemented on PostgreSQL by ``PostgresTrackingRepository``.
protocol ArchiveRepository: Sendable {
    /// Takes the day's lease for `owner` (creating its ledger row) unless another owner holds an unexpired one; returns
    /// the ledger row, or nil when the day is busy.
    func claimArchiveDay(_ day: ArchiveDay, owner: String, leaseSeconds: Int) async throws -> ArchiveDayRecord?
    /// Gives the lease back, recording `error` (nil clears the last error).
    func releaseArchiveDay(_ day: ArchiveDay, owner: String, error: String?) async throws
    /// Ledger rows of the days in `from...to` (all when nil), oldest first.
    func archiveDays(from: ArchiveDay?, to: ArchiveDay?) async throws -> [ArchiveDayRecord]
    /// Whether the day's partition exists.
    func partitionExists(_ day: ArchiveDay) async throws -> Bool
    /// Rows in the day's partition.
    func partitionRowCount(_ day: ArchiveDay) async throws -> Int
    /// Every row of the day's partition, ordered by vehicle, device time, seq, streamed to `body`.
    func streamPartition(_ day: ArchiveDay, _ body: (ArchivedRow) async throws -> Void) async throws
    /// Records a verified archive.
    func markArchived(_ day: ArchiveDay, manifestKey: String, rows: Int, bytes: Int, parts: Int) async throws
    /// In one transaction: locks the partition, checks it still holds `expectedRows`, drops it and marks the day
    /// dropped. False (and nothing dropped) when the count differs.
    func dropArchivedPartition(_ day: ArchiveDay, expectedRows: Int) async throws -> Bool
    /// Creates the day's partition if it is missing.
    func ensurePartition(_ day: ArchiveDay) async throws
    /// Inserts archived rows (rows already present are kept); returns how many were new.
    func insertArchivedRows(_ rows: [ArchivedRow]) async throws -> Int
    /// Marks the day restored, kept in the hot store until `untilMillis`.
    func markRestored(_ day: ArchiveDay, untilMillis: Int64) async throws
    /// Days whose partitions end at or before `beforeMillis` (expired), oldest first.
    func expiredPartitionDays(endingBefore beforeMillis: Int64) async throws -> [ArchiveDay]
    /// Drops the day's partition without an archive (archiving off).
    func dropPartitionUnarchived(_ day: ArchiveDay) async throws
}
