package io.hapireindex.index;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.BaseResourceIndexedSearchParam;
import ca.uhn.fhir.jpa.model.entity.PartitionablePartitionId;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedComboStringUnique;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedComboTokenNonUnique;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamCoords;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamDate;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamNumber;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamQuantity;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamQuantityNormalized;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamString;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamToken;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamUri;
import ca.uhn.fhir.jpa.model.entity.ResourceLink;
import ca.uhn.fhir.jpa.model.entity.SearchParamPresentEntity;
import ca.uhn.fhir.jpa.searchparam.extractor.ResourceIndexedSearchParams;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Copies HAPI's index entities (stored or freshly extracted) into {@link IndexRow} values. The part names
 * and type names are HAPI's, so the report reads like HAPI's own {@code $reindex-dryrun}.
 */
public class IndexRowMapper {

	private final ISearchParamRegistry searchParamRegistry;
	private final PartitionSettings partitionSettings;

	public IndexRowMapper(ISearchParamRegistry searchParamRegistry, PartitionSettings partitionSettings) {
		this.searchParamRegistry = searchParamRegistry;
		this.partitionSettings = partitionSettings;
	}

	/**
	 * @param resourceType needed to name "missing" rows, which HAPI stores as a hash of the parameter name
	 * @param partitionId  the resource's partition, part of that hash
	 */
	public List<IndexRow> toRows(
			ResourceIndexedSearchParams params, String resourceType, PartitionablePartitionId partitionId) {
		List<IndexRow> rows = new ArrayList<>();
		addAll(rows, params.myCoordsParams, IndexSection.COORDINATE, "Coords", p -> new String[] {
			"Latitude", decimal(p.getLatitude()), "Longitude", decimal(p.getLongitude())
		});
		addAll(rows, params.myDateParams, IndexSection.DATE, "Date", p -> new String[] {
			"High", instant(p.getValueHigh()), "Low", instant(p.getValueLow())
		});
		addAll(rows, params.myNumberParams, IndexSection.NUMBER, "Number", p -> new String[] {
			"Value", decimal(p.getValue())
		});
		addAll(rows, params.myQuantityParams, IndexSection.QUANTITY, "Quantity", p -> new String[] {
			"Value", decimal(p.getValue()), "System", p.getSystem(), "Units", p.getUnits()
		});
		addAll(rows, params.myQuantityNormalizedParams, IndexSection.QUANTITY, "QuantityNormalized", p ->
				new String[] {"Value", decimal(p.getValue()), "System", p.getSystem(), "Units", p.getUnits()});
		addAll(rows, params.myUriParams, IndexSection.URI, "Uri", p -> new String[] {"Value", p.getUri()});
		addAll(rows, params.myStringParams, IndexSection.STRING, "String", p -> new String[] {
			"ValueNormalized", p.getValueNormalized(), "ValueExact", p.getValueExact()
		});
		addAll(rows, params.myTokenParams, IndexSection.TOKEN, "Token", p -> new String[] {
			"System", blankToNull(p.getSystem()), "Value", blankToNull(p.getValue())
		});
		for (ResourceLink link : params.myLinks) {
			rows.add(linkRow(link));
		}
		for (ResourceIndexedComboStringUnique combo : params.myComboStringUniques) {
			rows.add(IndexRow.of(IndexSection.UNIQUE, "ComboStringUnique", combo.getIndexString()));
		}
		for (ResourceIndexedComboTokenNonUnique combo : params.myComboTokenNonUnique) {
			rows.add(IndexRow.of(IndexSection.NON_UNIQUE, "ComboTokenNonUnique", combo.getIndexString()));
		}
		Map<Long, String> presenceNames = null;
		for (SearchParamPresentEntity present : params.mySearchParamPresentEntities) {
			String name = present.getParamName();
			if (name == null) {
				// Stored presence rows keep only a hash of the name: recover it from the active parameters.
				if (presenceNames == null) {
					presenceNames = presenceHashes(resourceType, partitionId);
				}
				name = presenceNames.get(present.getHashPresence());
			}
			rows.add(IndexRow.of(
					IndexSection.MISSING, "Reference", name, "Missing", Boolean.toString(!present.isPresent())));
		}
		return rows;
	}

	private <T extends BaseResourceIndexedSearchParam> void addAll(
			List<IndexRow> rows,
			Collection<T> params,
			IndexSection section,
			String type,
			Function<T, String[]> values) {
		for (T param : params) {
			if (param.isMissing()) {
				// ":missing=true" marker rows (only stored when missing-field indexing is enabled)
				rows.add(IndexRow.of(IndexSection.MISSING, type, param.getParamName(), "Missing", "true"));
			} else {
				rows.add(IndexRow.of(section, type, param.getParamName(), values.apply(param)));
			}
		}
	}

	private static IndexRow linkRow(ResourceLink link) {
		String targetId = null;
		String targetUrl = null;
		if (link.getTargetResourceId() != null) {
			targetId = link.getTargetResourceType() + "/" + link.getTargetResourceId();
		} else {
			targetUrl = link.getTargetResourceUrl();
		}
		Long version = link.getTargetResourceVersion();
		return IndexRow.of(
				IndexSection.RESOURCE_LINK,
				"Reference",
				link.getSourcePath(),
				"TargetId",
				targetId,
				"TargetUrl",
				targetUrl,
				"TargetVersion",
				version == null ? null : version.toString());
	}

	private Map<Long, String> presenceHashes(String resourceType, PartitionablePartitionId partitionId) {
		Map<Long, String> hashes = new HashMap<>();
		for (RuntimeSearchParam sp : searchParamRegistry
				.getActiveSearchParams(resourceType, ISearchParamRegistry.SearchParamLookupContextEnum.ALL)
				.values()) {
			for (boolean present : new boolean[] {true, false}) {
				hashes.put(
						SearchParamPresentEntity.calculateHashPresence(
								partitionSettings, partitionId, resourceType, sp.getName(), present),
						sp.getName());
			}
		}
		return hashes;
	}

	private static String blankToNull(String s) {
		return s == null || s.isBlank() ? null : s;
	}

	/** Dates compare as UTC instants: the database hands back Timestamps, the extractor plain Dates. */
	static String instant(Date date) {
		return date == null ? null : date.toInstant().toString();
	}

	/** Numbers compare without trailing zeros: the database may pad the scale (1.5 vs 1.50). */
	static String decimal(Number number) {
		if (number == null) {
			return null;
		}
		BigDecimal value = number instanceof BigDecimal bd ? bd : new BigDecimal(number.toString());
		return value.stripTrailingZeros().toPlainString();
	}
}
