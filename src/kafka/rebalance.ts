/**
 * The reassignment Job of a KafkaCluster (`rebalance`): after a broker scale-out it spreads the
 * partitions over every broker, and with `drainBrokers()` it moves every replica off brokers about
 * to be removed. See docs/kafka.md, "Scale brokers and controllers".
 */
export interface KafkaRebalanceOptions {
  /**
   * Run the Job whenever the set of broker ids changes (a pool scaled out, a pool added), so new
   * brokers get partitions. Off: the Job only runs for `drainBrokers()`.
   * @default true
   */
  readonly onScaleOut?: boolean;
  /**
   * Replication throttle while partitions move, in MiB/s per broker
   * (`kafka-reassign-partitions.sh --throttle`); `--verify` removes it once the move is complete.
   * @default 50
   */
  readonly throttleMebibytesPerSecond?: number;
}
