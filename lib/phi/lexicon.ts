// Hand-written word lists: general English and clinical vocabulary, never names or places.

/** A set of lower-case words from a space-separated list. */
export const words = (s: string): Set<string> => new Set(s.trim().toLowerCase().split(/\s+/));

/** Function words and note verbs that never start or continue a name, whatever the context. */
export const STOP_WORDS = words(`
a an the and or but nor so yet if then than that this these those there here where when while who whom whose which what why how
i me my mine we us our you your he him his she her hers it its they them their theirs one ones
is are was were be been being am do does did done doing has have had having will would shall should may might can could must
to at in on of off for from by with without within into onto upon over under about above below after before during per via
up down out again further once all any both each few more most other some such no not only own same too very just also
as until because since though although unless whether either neither
aware notified paged called calls calling phoned spoke speak speaking talked talking told informed updated update visited visiting
visit visits present presents states stated says said reports reported notes noted feels felt wants wanted knows aware
seen see sees saw came come comes went going gone left arrived here today tonight tomorrow yesterday now later earlier
at bedside home well ok okay yes no none not still again already also please thank thanks
am pm noon midnight
patient patients pt pts family families friend friends team teams staff nurse nurses doctor doctors resident residents intern interns
attending fellow fellows house officer officers np md rn rrt pa
`);

/** Words a name list holds that are never a person's name in a note: languages, peoples, places too large to identify. */
export const NOT_NAMES = words(`
russian spanish chinese portuguese haitian italian greek polish vietnamese korean english french german arabic hindi
creole cantonese mandarin european american african asian hispanic latino latina caucasian jewish catholic christian
muslim europe asia africa america canada mexico law ceo usa
fla calif ariz colo okla tenn wisc minn mich
`);

/** Clinical abbreviations and words a name list may hold ("HR", "IV", "Foley"): never names alone. */
export const CLINICAL_WORDS = words(`
hr iv abd min mins max tol co sr ci sm md micu sicu ccu csru ctic nicu picu ticu cvicu pacu icu ed er ew or ir pt ot st slp
vea vanco vancomycin av svr pvr mech cr ra la rv lv sc th ok dispo sao sao2 spo2 riss dec huo bil supp ng og ngt ogt sys dia hosp
dk br maint rm vit ll ie fr lue rue lle rle sig raf va ve ri im mt vap vm wein eu gr mc tc ii iii iv tah neph bue irr
aox aaox mae perrl perrla perla pearl pearla ett trach peep cpap bipap fio2 ps psv simv imv ac prvc tv vt rr mv abg vbg
ct cta mri mra cxr kub ekg ecg eeg emg echo tte tee us ua ucx bcx cx gs dx ddx rx tx hx sx fx bx px
bp sbp dbp map cvp pap pcwp wedge ci sv svo2 hct hgb wbc plt inr ptt pt bun cre cr k na cl mg ca phos po4 alb
lfts ast alt alk ldh ck ckmb trop bnp tsh glu bs fs fsbs bg hba1c hb
po pr iv im sq sc sl pr prn qd bid tid qid qh qhs hs ac pc npo tpn ppn tf tfs ivf ns lr d5w d5 ngt peg pej
ivp ivpb gtt gtts drip mcg mg gm kg ml cc dl meq mmol mmhg cm mm
prbc prbcs ffp cryo plts
ms mental status mso4 ntg tng nitro dopa dobut neo levo vaso epi
dnr dni dnar cmo fc full code ss dm dmii niddm iddm htn cad chf copd afib aflutter af vt vf svt pvc pvcs pac pacs nsr st sb
mi nstemi stemi cabg ptca pci mvr avr tvr cva tia sah sdh ich dvt pe uti pna cap hap vap ards ards sepsis esrd ckd arf aki
hd cvvh cvvhd crrt pd gi gu gyn ent neuro psych resp cv id endo heme onc renal pulm derm ortho uro
osh rehab snf ltac ltach vna nh alf
ua ucx ugib lgib egd ercp colonoscopy
rll rml rul lll lul bll bibasilar
lpm lnp nc nrb fm vm hfnc
hob oob bsc bs bm bms ng
sob doe pnd pnd cp hpi pmh pmhx psh shx fhx ros rrr nad wnl wdwn
npn nsg note notes progress addendum admit admission transfer
iabp lvad rvad ecmo perl pcu ctu sdu imc imcu tele stepdown rij lij rsc lsc rfv lfv pcw pcwp
picc tlc cvl aline art swan ganz cordis sheath hickman quinton mediport portacath foley texas condom
groshong broviac dobhoff yankauer ambu pleurovac sengstaken blakemore minerva miami jp penrose salem levin bovie doppler
holter coude mckesson passy muir jackson pratt kerlix telfa xeroform duoderm mepilex tegaderm allevyn
carevue metavision epic cerner careview vue esp brady tachy hoh cath lab labs neb nebs trach vent ems tr atc fmv cvvhf brbpr fsbg oett
lad lcx rca om pda svg lima rima bb ue le ft ho cdb bsd ada nbp dka vicu tsicu nsicu msicu csicu
asap fyi pls plz thx tia imo aka
colace senna dulcolax contin oxycontin msc dsd hoyer shiley permacath allegra destin
sinemet bactrim keflex augmentin unasyn eliquis xarelto plavix lipitor zocor seroquel zyprexa precedex
dilaudid lasix coumadin heparin levophed vasopressin propofol fentanyl versed ativan haldol morphine tylenol motrin
zosyn flagyl cipro levaquin cefepime ceftriaxone zantac pepcid protonix nexium lopressor toprol norvasc lisinopril
captopril hydralazine amiodarone diltiazem digoxin insulin lantus humalog novolog kcl kphos mag
pearla perrla ptt
gentleman lady male female man woman yo y/o yr yrs
`);

/** Words after which a name is expected ("son David", "wife: Mary"). */
export const RELATION_WORDS = words(`
son sons daughter daughters dtr dtrs dau husband husbands wife wives spouse partner fiance fiancee boyfriend girlfriend
mother mom mum father dad brother brothers bro sister sisters sis sibling siblings niece nieces nephew nephews
grandson grandsons granddaughter granddaughters grandaughter grandaughters grandchild grandchildren grandmother grandma
grandfather grandpa aunt aunts uncle uncles cousin cousins friend friends neighbor neighbour roommate
proxy hcp guardian caregiver caretaker stepson stepdaughter stepmother stepfather
`);

/** Titles that announce a name ("Dr. Foley", "Mrs Cohen"). */
export const TITLES = words(`dr drs doctor mr mrs ms miss mister madam prof professor dear hi hello`);

/** Credentials that follow a signature ("Emily Parker, RN"). */
export const CREDENTIALS = words(`
rn rrt md do np pa pac lpn lvn cna ot otr pt dpt slp sw msw licsw lcsw rd ld cns crnp aprn fnp anp acnp rt crt phd pharmd
`);

/** Words that make the words before them a facility's name ("Calvert Hospital"). */
export const FACILITY_WORDS = words(`
hospital hospitals hosp hsp center centre ctr clinic clinics rehab rehabilitation infirmary hospice sanatorium
manor institute healthcare memorial adventist infirmary regional house
`);

/** Generic facility words that end a facility name and stay outside its span. */
export const FACILITY_GENERIC = words(
  `hospital hospitals hosp hsp clinic clinics rehab rehabilitation infirmary hospice center centre ctr`,
);

/** USPS street suffixes and their common abbreviations. */
export const STREET_SUFFIXES = words(`
street st avenue ave av road rd boulevard blvd lane ln drive dr way court ct place pl terrace ter circle cir highway hwy
parkway pkwy square sq trail trl turnpike tpke alley aly crescent cres close row path pike plaza plz
`);

export const MONTHS: ReadonlyMap<string, number> = new Map([
  ['january', 1],
  ['jan', 1],
  ['february', 2],
  ['feb', 2],
  ['march', 3],
  ['mar', 3],
  ['april', 4],
  ['apr', 4],
  ['may', 5],
  ['june', 6],
  ['jun', 6],
  ['july', 7],
  ['jul', 7],
  ['august', 8],
  ['aug', 8],
  ['september', 9],
  ['sept', 9],
  ['sep', 9],
  ['october', 10],
  ['oct', 10],
  ['november', 11],
  ['nov', 11],
  ['december', 12],
  ['dec', 12],
]);

/** Words after a capitalised name that make it an eponym ("Bell's palsy", "Graves disease"). */
export const EPONYM_HEADS = words(`
disease diseases syndrome syndromes sign signs test tests maneuver manoeuvre palsy reflex reflexes criteria score scale
classification method procedure operation repair fracture fractures phenomenon law rule rules triad tetrad pentad
catheter tube line node nodes nodules disease's ulcer ulcers cell cells body bodies lymphoma sarcoma tumor tumour
equation formula index stain position incision block point space duct gland glands drain drains lesion lesions
nodule spots spot murmur murmurs trial trials protocol approach tear tears study studies guideline guidelines cohort
chapter textbook manual experience questionnaire inventory doctrine principle effect nomogram angina
technique maneuvers sign's rules index indices tenosynovitis granulomatosis purpura thyroiditis encephalopathy
porphyria anemia anaemia dystrophy ataxia virus disorder disorders deformity malformation dysplasia type cyst cysts
contracture neuroma neuralgia aneurysm hernia diverticulum diverticulitis glomerulonephritis nephritis arthritis
lymphadenopathy myopathy neuropathy retinopathy cardiomyopathy carcinoma leukemia leukaemia fever fevers ulcer
`);

/** US state names and postal codes: a state is not below state level, so never PHI alone. */
export const US_STATES = words(`
alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho illinois indiana iowa
kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri montana nebraska nevada
ohio oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington wisconsin wyoming
al ak az ar ca co ct de fl ga hi ia il in ks ky la ma md me mi mn mo ms mt nc nd ne nh nj nm nv ny oh ok or pa ri sc sd tn
tx ut va vt wa wi wv wy dc
`);
