package io.hapireindex.throttle;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ParkingLineTest {

	private static final long UNKNOWN = -1;

	private final ParkingLine line = new ParkingLine();

	@Test
	void theFirstChunkComesBackWhenTheHoldersBatchShouldEndAndTheOthersOneBatchApart() {
		line.batchTook("job", 300);
		// the holder started at 1,000: its batch should end at 1,300
		assertThat(line.park("job", "a", 1, 1_100, 1_000)).isEqualTo(200);
		assertThat(line.park("job", "b", 1, 1_100, 1_000)).isEqualTo(500);
		assertThat(line.park("job", "c", 1, 1_100, 1_000)).isEqualTo(800);
		// two slots free up twice as often
		line.batchTook("other", 300);
		line.park("other", "a", 2, 1_100, 1_000);
		assertThat(line.park("other", "b", 2, 1_100, 1_000)).isEqualTo(350);
	}

	@Test
	void aChunkThatGotASlotOrIsDueNoLongerCountsAhead() {
		line.batchTook("job", 300);
		line.park("job", "a", 1, 0, UNKNOWN);
		line.park("job", "b", 1, 0, UNKNOWN);
		line.left("job", "a");
		assertThat(line.park("job", "c", 1, 0, UNKNOWN)).as("only b ahead").isEqualTo(600);
		// at 700 b (due at 600) has come back; c parks again behind nobody
		assertThat(line.park("job", "c", 1, 700, UNKNOWN)).isEqualTo(300);
	}

	@Test
	void parkingIsBoundedAndShortBeforeAnyBatchRan() {
		assertThat(line.park("job", "a", 1, 0, UNKNOWN)).isEqualTo(ParkingLine.MIN_PARK_MILLIS);
		line.batchTook("slow", 4_000);
		line.park("slow", "a", 1, 0, UNKNOWN);
		assertThat(line.park("slow", "b", 1, 0, UNKNOWN)).isEqualTo(ParkingLine.MAX_PARK_MILLIS);
		// a holder past its expected end: come back soon, not at once
		line.batchTook("late", 300);
		assertThat(line.park("late", "a", 1, 10_000, 0)).isEqualTo(ParkingLine.MIN_PARK_MILLIS);
	}

	@Test
	void theBatchTimeFollowsRecentBatches() {
		line.batchTook("job", 400);
		line.batchTook("job", 800);
		assertThat(line.park("job", "a", 1, 0, UNKNOWN)).isEqualTo(500);
	}

	@Test
	void aJobUnusedForAnHourIsForgottenWhenAnotherJobComes() {
		long[] now = {0};
		ParkingLine clocked = new ParkingLine(() -> now[0]);
		clocked.batchTook("old", 300);
		clocked.batchTook("recent", 300);
		now[0] = ParkingLine.IDLE_MILLIS / 2;
		clocked.batchTook("recent", 300);
		now[0] = ParkingLine.IDLE_MILLIS + 1;
		clocked.batchTook("new", 300);
		assertThat(clocked.jobs()).as("old dropped, recent and new kept").isEqualTo(2);
		assertThat(clocked.park("recent", "a", 1, now[0], UNKNOWN)).as("recent keeps its batch time").isEqualTo(300);
		assertThat(clocked.park("old", "a", 1, now[0], UNKNOWN)).as("old starts over")
				.isEqualTo(ParkingLine.MIN_PARK_MILLIS);
	}
}
