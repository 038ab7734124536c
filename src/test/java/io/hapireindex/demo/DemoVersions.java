package io.hapireindex.demo;

import ca.uhn.fhir.context.FhirVersionEnum;
import org.hl7.fhir.convertors.factory.VersionConvertorFactory_30_40;
import org.hl7.fhir.convertors.factory.VersionConvertorFactory_40_50;
import org.hl7.fhir.convertors.factory.VersionConvertorFactory_43_50;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Resource;

/**
 * The demo's sample is written once, in R4 ({@link DemoBundles}), and converted with HL7's version converters for a
 * server of another FHIR version, so every version stores the same patients, encounters, conditions and vitals.
 */
final class DemoVersions {

	private DemoVersions() {}

	static IBaseResource toVersion(Resource r4, FhirVersionEnum version) {
		return switch (version) {
			case R4 -> r4;
			case DSTU3 -> VersionConvertorFactory_30_40.convertResource(r4);
			case R5 -> VersionConvertorFactory_40_50.convertResource(r4);
			case R4B -> VersionConvertorFactory_43_50.convertResource(VersionConvertorFactory_40_50.convertResource(r4));
			default -> throw new IllegalArgumentException("The demo runs on DSTU3, R4, R4B or R5, not " + version);
		};
	}
}
