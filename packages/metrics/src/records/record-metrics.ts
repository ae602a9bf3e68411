import type { RecordProjectorStats, TaskRecordWriterStats } from '@foreman/core';
import type { Meter } from '@opentelemetry/api';

/**
 * What this process's task record writer could not store: rows the database refused for their
 * content (quarantined), rows dropped past the buffer bound while it was away, and stream entries
 * trimmed before its record projector (if it runs one) stored them (lost).
 */
export class RecordMetrics {
  constructor(
    meter: Meter,
    stats: () => TaskRecordWriterStats,
    projector?: () => RecordProjectorStats | undefined,
  ) {
    meter
      .createObservableCounter('foreman_records_quarantined', {
        description: 'Task records and dead letters the database refused, set aside so the rest land',
      })
      .addCallback((result) => result.observe(stats().quarantined));
    meter
      .createObservableCounter('foreman_records_dropped', {
        description: 'Task record updates dropped past the buffer bound while the database was away',
      })
      .addCallback((result) => result.observe(stats().dropped));
    meter
      .createObservableCounter('foreman_records_lost', {
        description:
          'Task-event stream entries trimmed by RECORD_STREAM_MAX before a projector stored their rows',
      })
      .addCallback((result) => result.observe(projector?.()?.lost ?? 0));
  }
}
