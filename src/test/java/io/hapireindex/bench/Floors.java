package io.hapireindex.bench;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.parser.IParser;
import org.hl7.fhir.instance.model.api.IBaseResource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.zip.GZIPInputStream;
import javax.sql.DataSource;

/**
 * What any reindex has to do at least, in one thread and writing nothing: read the current version of every
 * resource in scope from HAPI's tables and parse it, and (for a full reindex) extract every search parameter with
 * HAPI's own extractor.
 */
final class Floors {

	/** Resources read, index values extracted (0 when not extracting). */
	record Work(long resources, long values, long bytes) {}

	private final DataSource dataSource;
	private final FhirContext fhirContext;
	private final ISearchParamExtractor extractor;

	Floors(DataSource dataSource, FhirContext fhirContext, ISearchParamExtractor extractor) {
		this.dataSource = dataSource;
		this.fhirContext = fhirContext;
		this.extractor = extractor;
	}

	/**
	 * @param resourceType only this type, or null for all
	 * @param extract      also extract every search parameter
	 */
	Work run(String resourceType, boolean extract) throws SQLException, IOException {
		String sql = "SELECT v.RES_TEXT_VC, v.RES_TEXT, v.RES_ENCODING FROM HFJ_RESOURCE r"
				+ " JOIN HFJ_RES_VER v ON v.RES_ID = r.RES_ID AND v.RES_VER = r.RES_VER"
				+ " WHERE r.RES_DELETED_AT IS NULL" + (resourceType == null ? "" : " AND r.RES_TYPE = ?");
		IParser parser = fhirContext.newJsonParser();
		long resources = 0;
		long values = 0;
		long bytes = 0;
		try (Connection c = dataSource.getConnection()) {
			c.setAutoCommit(false);
			try (PreparedStatement ps = c.prepareStatement(sql)) {
				ps.setFetchSize(1000);
				if (resourceType != null) {
					ps.setString(1, resourceType);
				}
				try (ResultSet rs = ps.executeQuery()) {
					while (rs.next()) {
						String text = body(rs);
						bytes += text.length();
						IBaseResource resource = parser.parseResource(text);
						resources++;
						if (extract) {
							values += extractAll(resource);
						}
					}
				}
			}
			c.commit();
		}
		return new Work(resources, values, bytes);
	}

	/** Inline text, or the LOB (gzip-compressed for JSONC) that older rows and some databases use. */
	private static String body(ResultSet rs) throws SQLException, IOException {
		String inline = rs.getString(1);
		if (inline != null) {
			return inline;
		}
		Blob blob = rs.getBlob(2);
		if (blob == null) {
			throw new IllegalStateException("resource version without a body");
		}
		byte[] raw = blob.getBytes(1, (int) blob.length());
		if ("JSONC".equalsIgnoreCase(rs.getString(3))) {
			try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
				raw = in.readAllBytes();
			}
		}
		return new String(raw, StandardCharsets.UTF_8);
	}

	/** Every kind of value HAPI indexes for a resource (combos need stored rows, and the data set has none). */
	private long extractAll(IBaseResource r) {
		return extractor.extractSearchParamDates(r).size()
				+ extractor.extractSearchParamNumber(r).size()
				+ extractor.extractSearchParamQuantity(r).size()
				+ extractor.extractSearchParamStrings(r).size()
				+ extractor.extractSearchParamTokens(r).size()
				+ extractor.extractSearchParamUri(r).size()
				+ extractor.extractSearchParamSpecial(r, ISearchParamExtractor.ALL_PARAMS).size()
				+ extractor.extractSearchParamComposites(r).size()
				+ extractor.extractResourceLinks(r, false).size();
	}
}
