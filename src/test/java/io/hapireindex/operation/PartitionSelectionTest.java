package io.hapireindex.operation;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.entity.PartitionEntity;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.partition.IPartitionLookupSvc;
import io.hapireindex.job.ReindexScope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/** The split of a selection of several partitions into one scope per partition (the ITs run it on a real server). */
class PartitionSelectionTest {

	private final PartitionSettings settings = new PartitionSettings().setPartitioningEnabled(true);
	private final IPartitionLookupSvc lookup = mock(IPartitionLookupSvc.class);
	private final PartitionSelection selection = new PartitionSelection(settings, lookup);

	@Test
	void allPartitionsAreTheDefaultOneAndEveryListedOneEachWithIdAndName() {
		when(lookup.listPartitions()).thenReturn(List.of(partition(2, "B"), partition(1, "A")));

		List<ReindexScope> split = selection.splitByPartition(
				List.of(new ReindexScope("Patient", null, RequestPartitionId.allPartitions())),
				RequestPartitionId.allPartitions());

		assertThat(split).extracting(s -> ReindexScope.partitionLabel(s.partition())).containsExactly("DEFAULT", "A", "B");
		assertThat(split).extracting(s -> s.partition().getPartitionIds()).containsExactly(
				Collections.singletonList(null), List.of(1), List.of(2));
		assertThat(split).allSatisfy(s -> assertThat(s.resourceType()).isEqualTo("Patient"));
	}

	@Test
	void aListIsSplitScopeByScopeAndTheDefaultPartitionIsNamed() {
		RequestPartitionId list = RequestPartitionId.forPartitionIdsAndNames(
				Arrays.asList("A", "DEFAULT"), Arrays.asList(1, null), null);
		List<ReindexScope> split = selection.splitByPartition(
				List.of(new ReindexScope("Observation", null, list), new ReindexScope("Patient", "Patient?name=x", list)),
				list);

		assertThat(split).extracting(s -> s.label() + " " + ReindexScope.partitionLabel(s.partition()))
				.containsExactly("Observation? A", "Observation? DEFAULT", "Patient?name=x A", "Patient?name=x DEFAULT");
	}

	@Test
	void onePartitionAnUnpartitionedServerAndUnnamedModeAreNotSplit() {
		RequestPartitionId one = RequestPartitionId.forPartitionIdAndName(1, "A", null);
		List<ReindexScope> inOne = List.of(new ReindexScope("Patient", null, one));
		assertThat(selection.splitByPartition(inOne, one)).isEqualTo(inOne);

		List<ReindexScope> everywhere = List.of(new ReindexScope("Patient", null, RequestPartitionId.allPartitions()));
		PartitionSelection unpartitioned = new PartitionSelection(new PartitionSettings(), lookup);
		assertThat(unpartitioned.splitByPartition(everywhere, RequestPartitionId.allPartitions())).isEqualTo(everywhere);

		PartitionSelection unnamed = new PartitionSelection(
				new PartitionSettings().setPartitioningEnabled(true).setUnnamedPartitionMode(true), lookup);
		assertThat(unnamed.splitByPartition(everywhere, RequestPartitionId.allPartitions())).isEqualTo(everywhere);
	}

	@Test
	void tooManyScopesStayCombined() {
		List<PartitionEntity> many = new ArrayList<>();
		IntStream.rangeClosed(1, PartitionSelection.MAX_SPLIT_SCOPES / 2).forEach(i -> many.add(partition(i, "P" + i)));
		when(lookup.listPartitions()).thenReturn(many);
		List<ReindexScope> twoTypes = List.of(
				new ReindexScope("Observation", null, RequestPartitionId.allPartitions()),
				new ReindexScope("Patient", null, RequestPartitionId.allPartitions()));

		// the default partition makes it one partition too many
		assertThat(selection.splitByPartition(twoTypes, RequestPartitionId.allPartitions())).isEqualTo(twoTypes);
	}

	private static PartitionEntity partition(int id, String name) {
		PartitionEntity p = new PartitionEntity();
		p.setId(id);
		p.setName(name);
		return p;
	}
}
