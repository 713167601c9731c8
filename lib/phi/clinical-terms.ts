// Hand-written clinical vocabulary: drug names, eponyms, devices and note jargon that the English word list
// lacks. Never names of people or places as such: an eponym here is a disease, sign, score, procedure or device
// ("Parkinson", "Kussmaul", "Whipple"), and it still counts as a person's name after a title or in a signature.
import { words } from './lexicon';

/** Generic drug names, written in lower case: medical words, and what a misspelling is a misspelling of. */
export const GENERIC_DRUGS = words(`
abacavir abatacept abciximab abiraterone acamprosate acarbose acetaminophen acetazolamide acetylcysteine aclidinium
acyclovir adalimumab adenosine albendazole albumin albuterol alendronate alfentanil alfuzosin alirocumab allopurinol
alogliptin alprazolam alprostadil alteplase aluminum amantadine ambrisentan amikacin amiloride aminocaproic aminophylline
amiodarone amitriptyline amlodipine amoxicillin amphetamine amphotericin ampicillin anakinra anastrozole andexanet
anidulafungin apixaban aprepitant argatroban aripiprazole armodafinil arformoterol artemether asenapine aspirin atazanavir
atenolol atezolizumab atomoxetine atorvastatin atovaquone atracurium atropine avibactam azacitidine azathioprine
azithromycin aztreonam bacitracin baclofen baloxavir baricitinib basiliximab beclomethasone bedaquiline belatacept
belimumab benazepril benralizumab benzonatate benztropine betamethasone bethanechol bevacizumab bicalutamide bicarbonate
bictegravir bisacodyl bisoprolol bivalirudin bleomycin bortezomib bosentan brexpiprazole brivaracetam bromocriptine
budesonide bumetanide bupivacaine buprenorphine bupropion buspirone busulfan butorphanol cabergoline calcitonin calcitriol
canagliflozin candesartan cangrelor capecitabine capsaicin captopril carbamazepine carbidopa carboplatin carfilzomib
cariprazine carvedilol caspofungin cefazolin cefdinir cefepime cefiderocol cefotaxime cefotetan cefoxitin cefpodoxime
ceftaroline ceftazidime ceftolozane ceftriaxone cefuroxime celecoxib cephalexin certolizumab cetirizine cetuximab
chlorambucil chloramphenicol chlordiazepoxide chlorhexidine chloroquine chlorpromazine chlorthalidone cholecalciferol
cholestyramine ciclesonide cidofovir cilostazol cimetidine cinacalcet ciprofloxacin cisatracurium cisplatin citalopram
clarithromycin clavulanate clevidipine clindamycin clobazam clomiphene clomipramine clonazepam clonidine clopidogrel
clotrimazole clozapine codeine colchicine colesevelam colistin cromolyn cyanocobalamin cyclobenzaprine cyclophosphamide
cyclosporine cyproheptadine cytarabine dabigatran dalbavancin dalfopristin dalteparin dantrolene dapagliflozin dapsone
daptomycin daratumumab darbepoetin darunavir dasatinib daunorubicin decitabine deferoxamine degludec denosumab
desipramine desmopressin desvenlafaxine detemir dexamethasone dexmedetomidine dexrazoxane dextroamphetamine
dextromethorphan dextrose diazepam diclofenac dicloxacillin dicyclomine digoxin diltiazem dimenhydrinate diphenhydramine
diphenoxylate dipyridamole disulfiram divalproex dobutamine docetaxel docusate dofetilide dolasetron dolutegravir
donepezil dopamine dornase doxazosin doxepin doxorubicin doxycycline dronabinol dronedarone droperidol dulaglutide
duloxetine dupilumab durvalumab dutasteride edaravone edoxaban edrophonium efavirenz empagliflozin emtricitabine
enalapril enalaprilat enoxaparin entacapone entecavir enzalutamide ephedrine epinephrine epoetin epoprostenol eplerenone
eptifibatide ergocalciferol ertapenem ertugliflozin erythromycin escitalopram esmolol esomeprazole estradiol eszopiclone
etanercept ethacrynic ethambutol ethosuximide etomidate etoposide everolimus evolocumab exemestane exenatide ezetimibe
famciclovir famotidine febuxostat felbamate felodipine fenofibrate fenoldopam fentanyl ferrous ferumoxytol fexofenadine
fidaxomicin filgrastim finasteride fingolimod flecainide fluconazole flucytosine fludrocortisone flumazenil fluorouracil
fluoxetine fluphenazine fluticasone fluvoxamine folate fondaparinux formoterol fosaprepitant foscarnet fosfomycin
fosinopril fosphenytoin fulvestrant furosemide gabapentin galantamine ganciclovir gemcitabine gemfibrozil gentamicin
glargine glatiramer glecaprevir glimepiride glipizide glucagon glyburide glycopyrrolate glycopyrronium golimumab goserelin
granisetron guaifenesin guanfacine haloperidol heparin hetastarch hydralazine hydrochlorothiazide hydrocodone
hydrocortisone hydromorphone hydroxychloroquine hydroxyurea hydroxyzine ibandronate ibrutinib ibuprofen ibutilide
icatibant icosapent idarubicin idarucizumab iloprost imatinib imipenem imipramine indapamide indomethacin infliximab
inamrinone insulin interferon ipilimumab ipratropium irbesartan irinotecan isavuconazonium isoniazid isoproterenol
isosorbide itraconazole ivabradine ivermectin ketamine ketoconazole ketorolac labetalol lacosamide lactulose lamivudine
lamotrigine lansoprazole lanthanum ledipasvir leflunomide lenalidomide letrozole leucovorin leuprolide levalbuterol
levetiracetam levocetirizine levodopa levofloxacin levonorgestrel levosimendan levothyroxine lidocaine linaclotide
linagliptin linezolid liothyronine liraglutide lisdexamfetamine lisinopril lispro lithium loperamide lopinavir loratadine
lorazepam losartan lovastatin loxapine lubiprostone lumefantrine lurasidone macitentan magnesium mannitol maraviroc
mebendazole meclizine medroxyprogesterone mefloquine megestrol melatonin meloxicam memantine meperidine mepolizumab
mercaptopurine meropenem mesalamine mesna metformin methadone methimazole methocarbamol methohexital methotrexate
methyldopa methylnaltrexone methylphenidate methylprednisolone metoclopramide metolazone metoprolol metronidazole
mexiletine micafungin miconazole midazolam midodrine milrinone minocycline minoxidil mirabegron mirtazapine misoprostol
modafinil mometasone montelukast morphine moxifloxacin mupirocin mycophenolate nabumetone nadolol nafcillin nalbuphine
naloxegol naloxone naltrexone naproxen natalizumab nateglinide nebivolol nefazodone neomycin neostigmine nesiritide
nicardipine nicotine nifedipine nilotinib nimodipine nintedanib nitazoxanide nitrofurantoin nitroglycerin nitroprusside
nivolumab norepinephrine norethindrone nortriptyline nystatin octreotide ofloxacin olanzapine olmesartan olodaterol
omalizumab omeprazole ondansetron oritavancin oseltamivir oxacillin oxaliplatin oxazepam oxcarbazepine oxybutynin
oxycodone oxymetazoline oxymorphone oxytocin paclitaxel paliperidone palonosetron pamidronate pancrelipase pantoprazole
paracetamol paricalcitol paroxetine pegfilgrastim pembrolizumab pemetrexed penicillin pentamidine pentobarbital
pentoxifylline peramivir perampanel perindopril permethrin perphenazine phenazopyridine phenelzine phenobarbital
phentolamine phenylephrine phenytoin physostigmine phytonadione pibrentasvir pioglitazone piperacillin pirfenidone
pitavastatin polymyxin posaconazole pramipexole pramlintide prasugrel pravastatin praziquantel prazosin prednisolone
prednisone pregabalin primaquine primidone probenecid procainamide prochlorperazine progesterone proguanil promethazine
propafenone propofol propranolol propylthiouracil protamine pseudoephedrine psyllium pyrazinamide pyridostigmine
pyridoxine pyrimethamine quetiapine quinapril quinidine quinine quinupristin rabeprazole raloxifene raltegravir ramelteon
ramipril ranitidine ranolazine rasagiline rasburicase remdesivir remifentanil reteplase ribavirin rifabutin rifampin
rifaximin riluzole riociguat risedronate risperidone ritonavir rituximab rivaroxaban rivastigmine rizatriptan
rocuronium roflumilast ropinirole ropivacaine rosuvastatin rufinamide sacubitril salmeterol sargramostim sarilumab
saxagliptin scopolamine secukinumab selegiline semaglutide senna sennosides sertraline sevelamer sildenafil simethicone
simvastatin sirolimus sitagliptin sofosbuvir solifenacin sotalol spironolactone streptokinase streptomycin
succinylcholine sucralfate sufentanil sugammadex sulbactam sulfadiazine sulfamethoxazole sulfasalazine sumatriptan
suvorexant tacrolimus tadalafil tamoxifen tamsulosin tapentadol tazobactam tedizolid telavancin telmisartan temazepam
tenecteplase tenofovir terazosin terbinafine terbutaline teriparatide terlipressin testosterone tetracaine tetracycline
thalidomide theophylline thiamine thiopental thioridazine tiagabine ticagrelor tigecycline timolol tinidazole tiotropium
tirofiban tirzepatide tizanidine tobramycin tocilizumab tofacitinib tolterodine tolvaptan topiramate torsemide tramadol
trandolapril tranexamic tranylcypromine trastuzumab trazodone treprostinil triamcinolone triamterene trihexyphenidyl
trimethobenzamide trimethoprim umeclidinium upadacitinib ursodiol ustekinumab vaborbactam valacyclovir valganciclovir
valproate valproic valsartan vancomycin vardenafil varenicline vasopressin vecuronium vedolizumab velpatasvir venlafaxine
verapamil vigabatrin vilanterol vilazodone vinblastine vincristine voriconazole vortioxetine warfarin zafirlukast
zaleplon zanamivir zidovudine zinc ziprasidone zoledronic zolpidem zonisamide
`);

/** Brand names of drugs, nutrition and wound products, written with a capital: medical words, not names. */
export const BRAND_DRUGS = words(`
abilify activase adderall advair advil afrin aggrastat aldactone aleve allegra aloxi altace amicar ambien ambisome ancef
andexxa angiomax antabuse apidra aranesp aricept arimidex arixtra atarax ativan atrovent augmentin avastin avelox
avodart azactam azilect bactrim bactroban benadryl betapace biaxin botox breo brevibloc brilinta bumex buspar byetta
calan campral cancidas carafate cardene cardizem cellcept celebrex celexa cerebyx chantix cialis cipro claforan claritin
cleocin cleviprex clozaril cogentin colace colcrys combivent compazine cordarone coreg coumadin cozaar creon crestor
cubicin cyklokapron cymbalta cytovene dantrium decadron demadex depakote desyrel detrol diflucan dilantin dilaudid diovan
diprivan ditropan dobutrex dulcolax duoneb duragesic duramorph effexor effient elavil eliquis emend enbrel entresto
epogen exelon farxiga femara feraheme fentora flagyl flexeril flomax flonase florinef flovent fortaz fragmin geodon
giapreza gleevec glucophage glucotrol golytely haldol heplock herceptin humalog humira humulin hydrea imdur imitrex
imuran infed integrilin intropin invanz invega invokana isordil jantoven januvia jardiance kayexalate kcentra keflex
kefzol keppra keytruda klonopin kytril lamictal lanoxin lantus lasix latuda levaquin levemir levophed levoxyl lexapro
lioresal lipitor lithobid lokelma lopressor lovenox lunesta luvox lyrica macrobid marcaine marinol maxipime medrol megace
merrem miralax mirapex mobic motrin mounjaro mucinex mucomyst multaq mycamine mycostatin myrbetriq namenda naropin
narcan natrecor neoral neosporin neulasta neupogen neurontin nexium nimbex nipride nitrostat norco norvasc novolin
novolog noxafil opdivo ozempic pacerone pamelor paxil pepcid percocet phenergan phoslo plaquenil plavix polysporin
pradaxa pravachol praxbind precedex prevacid prilosec primacor primaxin prinivil pristiq procardia procrit prograf
proscar protonix proventil provigil prozac pulmicort pulmozyme pyridium qvar rapamune reglan remeron remicade renagel
renvela requip restoril revia revlimid risperdal ritalin rituxan robaxin robitussin rocephin roxicodone sandimmune
sandostatin savaysa senokot sensipar septra seroquel silvadene sinemet singulair solumedrol solucortef spiriva strattera
sublimaze suboxone subutex sudafed symbicort synthroid tamiflu tapazole tegretol tenormin tessalon tikosyn tnkase
topamax toprol toradol toujeo trelegy tresiba trileptal trulicity tygacil tylenol ultram unasyn uloric valcyte valium
valtrex vancocin vasostrict vasotec velcade veltassa venofer ventolin versed vfend viagra vicodin victoza vimpat
vistaril vivitrol vyvanse wellbutrin xanax xarelto xopenex xtandi xylocaine zanaflex zantac zemplar zestril zetia zithromax
zocor zofran zoloft zonegran zosyn zovirax zyloprim zyprexa zyrtec zytiga zyvox
glucerna nepro jevity osmolite peptamen vivonex nutren pulmocare beneprotein prostat
dermabond surgicel gelfoam tegaderm opsite duoderm aquacel mepilex allevyn kerlix xeroform telfa biopatch steristrips
`);

/** Devices and products named after people or firms, and equipment words notes use. */
export const DEVICE_WORDS = words(`
bair hugger foley coude pleurx pleurevac pleurovac hemovac penrose blake jackson pratt dobhoff corpak salem sump levin
sengstaken blakemore minnesota linton hickman broviac groshong portacath mediport powerport quinton permcath permacath
tesio shiley portex bivona passy muir yankauer ambu ballard optiflow airvo vapotherm venturi venti venodyne teds
rotoprone rotorest kinair triadyne hoyer posey pyxis omnicell alaris flexiseal purewick primafit prevena impella
heartmate heartware cardiohelp rotaflow centrimag tandemheart prismaflex nxstage thermogard coolgard blanketrol camino
licox ventriculostomy holter lifevest swan ganz cordis introducer trialysis vascath mahurkar hemodialysis
dialyzer oximeter capnography glucometer accucheck accuchek dinamap propaq doppler sequentials scds
`);

/**
 * Eponyms of diseases, signs, scores, manoeuvres and operations. In notes they name the condition more often than a
 * person: they need context (a title, a signature, "seen by") to count as names.
 */
export const EPONYMS = words(`
addison alzheimer apgar asperger babinski baker barlow barrett bartter basedow becker beckwith behcet bell bells bernard
bezold bier billroth blalock bouchard bowen brudzinski brugada buerger burkitt caplan caprini charcot chagas cheyne
chiari chvostek churg clostridium conn cooley coombs cori corrigan courvoisier crigler crohn cullen cushing dandy
debakey dejerine devic dieulafoy dix dubin duchenne dupuytren durie duroziez ehlers danlos eisenmenger epley erb ewing
fabry fallot fanconi felty fick finkelstein fisher fitzpatrick foley fontan fournier friedreich froment gaucher
gehrig gerstmann gilbert gitelman glanzmann gleason goodpasture gower gowers graves guillain barre hallpike hartmann
hashimoto heberden heimlich henoch schonlein hirschsprung hodgkin holter homan homans horner huntington hurler hutchinson
jarisch herxheimer jaeger janeway kaposi kasai kawasaki kearns kehr kernig kerley killip kimmelstiel klinefelter
klebsiella korsakoff krukenberg kussmaul lachman lambert legionnaires legg calve perthes lennox lesch nyhan letterer
levine lhermitte libman lichtenstein lisfranc ludwig lyme mallampati mallory weiss marfan mcardle mcburney mcmurray
meckel meniere menkes mobitz monteggia morgagni munchausen murphy neer niemann nissen osgood schlatter osler paget
pancoast parkinson parkland perthes peyronie pfannenstiel phalen pickwickian pott prinzmetal quincke ranson raynaud
reiter reye richter ringer ringers romberg roux rovsing rumack salter schatzki schilling seldinger sellick sezary
sheehan shy drager sjogren smith spurling stein leventhal stevens johnson stokes sturge takayasu takotsubo tay sachs
tietze tinel todd tourette trendelenburg trousseau turner valsalva virchow waldenstrom wallenberg waterhouse
friderichsen wegener wenckebach werdnig wernicke whipple wilms wilson wolff zenker zollinger ellison
`);

/** Note jargon and abbreviations the English list lacks: never names. */
export const JARGON = words(`
abx afeb afebrile ambulating anasarca anicteric aline alines apnea apneic asa atelectasis bibasilar bipap bradycardic
bradycardia cardioversion cardioverted cath cathed chem chems coags crackles crit cvp cxr diaphoretic diuresed diuresis
ecchymosis ecchymotic echo ekg epistaxis extubated extubation febrile guaiac guaiaced hemodynamically hemoptysis hyperkalemia
hypokalemia hypotensive hypertensive icteric intubated intubation lytes mdi mdis mso4 neb nebs neuro npo occ o2 perrla
petechiae pneumo pressors rhonchi rhonchorous sats satting sedated sputum tachycardic tachypneic tachypnea tele trach
tracheostomy urosepsis vent vented ventilated wnl abi abis mds rns hrs mins secs wks mos yrs meds labs vitals
`);
